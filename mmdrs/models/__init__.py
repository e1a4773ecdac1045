from . import losses, necks  # noqa: F401
from .backbones import (LITE0_IMAGENET, DRSBackbone, EfficientNetLite,
                        MSRAResNet, VGG16D1)
from .heads import DeepLabV2Head, MultiLabelCAMHead
from .layers import DRS, GraphDropout, drs_reference
from .necks import GroupGraphNeck
from .losses import SelfTrainingLoss
from .segmentors import (DRS_DEEPLAB_CRF, CAMClassifier,
                         DenseCRFPostProcessor, GroupCAMClassifier, MapRefiner,
                         WSSSEncoderDecoder, valid_region_mask)
from .utils import cams_to_seg_logits, normalize_cams

__all__ = [
    'DRSBackbone', 'EfficientNetLite', 'LITE0_IMAGENET', 'MSRAResNet',
    'VGG16D1', 'DeepLabV2Head', 'MultiLabelCAMHead', 'DRS', 'drs_reference',
    'GraphDropout', 'GroupGraphNeck', 'GroupCAMClassifier',
    'SelfTrainingLoss', 'CAMClassifier', 'DRS_DEEPLAB_CRF',
    'DenseCRFPostProcessor', 'MapRefiner', 'WSSSEncoderDecoder',
    'valid_region_mask', 'cams_to_seg_logits', 'normalize_cams'
]
