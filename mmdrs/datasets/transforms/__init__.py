from .cam_targets import LoadCAMTargets, max_mask
from .color_jitter import RandomColorJitter
from .image_labels import (LoadImageLabels, PackImageLabelInputs,
                           labels_from_seg_map)
from .load_pseudo_labels import LoadPseudoLabels

__all__ = [
    'LoadCAMTargets', 'max_mask', 'RandomColorJitter', 'LoadImageLabels',
    'LoadPseudoLabels',
    'PackImageLabelInputs', 'labels_from_seg_map'
]
