from .drs_backbone import DRSBackbone
from .efficientnet_lite import LITE0_IMAGENET, EfficientNetLite
from .msra_resnet import MSRAResNet
from .vgg_d1 import VGG16D1

__all__ = [
    'DRSBackbone', 'EfficientNetLite', 'LITE0_IMAGENET', 'MSRAResNet',
    'VGG16D1'
]
