from .samplers import LabelGroupSampler, group_collate
from .skip_existing import SkipExistingDataset
from .toy_voc import VOC_CLASSES, make_toy_voc, read_split, voc_palette
from .transforms import *  # noqa: F401,F403
from .voc_image_label import VOCImageLabelDataset

__all__ = [
    'LabelGroupSampler', 'group_collate', 'SkipExistingDataset',
    'VOC_CLASSES', 'make_toy_voc', 'read_split', 'voc_palette',
    'VOCImageLabelDataset'
]
