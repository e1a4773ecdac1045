from .cam_classifier import CAMClassifier
from .crf_post_processor import DRS_DEEPLAB_CRF, DenseCRFPostProcessor
from .map_refiner import MapRefiner
from .rrm_segmentor import RRMSegmentor
from .wsss_encoder_decoder import WSSSEncoderDecoder, valid_region_mask

__all__ = [
    'CAMClassifier', 'DRS_DEEPLAB_CRF', 'DenseCRFPostProcessor',
    'MapRefiner', 'RRMSegmentor', 'WSSSEncoderDecoder', 'valid_region_mask'
]
