from .cam import cams_to_seg_logits, normalize_cams, stack_image_labels
from .label_rules import background_label, saliency_argmax, saliency_label
from .reliable_region import (ReliableRegionLabeler, reliable_region_label,
                              reliable_region_rule)

__all__ = [
    'cams_to_seg_logits', 'normalize_cams', 'stack_image_labels',
    'background_label', 'saliency_argmax', 'saliency_label',
    'ReliableRegionLabeler', 'reliable_region_label', 'reliable_region_rule'
]
