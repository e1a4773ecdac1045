from .cam_classifier import CAMClassifier
from .crf_post_processor import DRS_DEEPLAB_CRF, DenseCRFPostProcessor
from .group_cam_classifier import GroupCAMClassifier
from .map_refiner import MapRefiner
from .rrm_segmentor import RRMSegmentor
from .wsss_encoder_decoder import WSSSEncoderDecoder, valid_region_mask

__all__ = [
    'CAMClassifier', 'DRS_DEEPLAB_CRF', 'DenseCRFPostProcessor',
    'GroupCAMClassifier', 'MapRefiner', 'RRMSegmentor', 'WSSSEncoderDecoder',
    'valid_region_mask'
]
