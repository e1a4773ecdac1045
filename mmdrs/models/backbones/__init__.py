from .drs_backbone import DRSBackbone
from .vgg_d1 import VGG16D1

__all__ = ['DRSBackbone', 'VGG16D1']
