from .color_jitter import RandomColorJitter
from .image_labels import (LoadImageLabels, PackImageLabelInputs,
                           labels_from_seg_map)

__all__ = [
    'RandomColorJitter', 'LoadImageLabels', 'PackImageLabelInputs',
    'labels_from_seg_map'
]
