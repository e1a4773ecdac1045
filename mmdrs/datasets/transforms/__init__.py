from .color_jitter import RandomColorJitter
from .image_labels import (LoadImageLabels, PackImageLabelInputs,
                           labels_from_seg_map)
from .pseudo_labels import LoadPseudoLabels

__all__ = [
    'RandomColorJitter', 'LoadImageLabels', 'LoadPseudoLabels',
    'PackImageLabelInputs', 'labels_from_seg_map'
]
