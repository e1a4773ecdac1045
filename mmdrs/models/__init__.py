from . import losses, necks  # noqa: F401
from .backbones import (LITE0_IMAGENET, DRSBackbone, EfficientNetLite,
                        VGG16D1)
from .heads import DeepLabV2Head, MultiLabelCAMHead
from .layers import DRS, drs_reference
from .segmentors import CAMClassifier, MapRefiner
from .utils import cams_to_seg_logits, normalize_cams

__all__ = [
    'DRSBackbone', 'EfficientNetLite', 'LITE0_IMAGENET', 'VGG16D1', 'DeepLabV2Head', 'MultiLabelCAMHead', 'DRS', 'drs_reference',
    'CAMClassifier', 'MapRefiner', 'cams_to_seg_logits', 'normalize_cams'
]
