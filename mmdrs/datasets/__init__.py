from .samplers import LabelGroupSampler, group_collate
from .skip_existing import SkipExistingDataset
from .toy_voc import make_toy_voc
from .transforms import *  # noqa: F401,F403
from .voc_image_label import VOCImageLabelDataset
from .voc_layout import (VOC_CLASSES, read_split, save_palette_png,
                         split_files, voc_palette)

__all__ = [
    'LabelGroupSampler', 'group_collate', 'SkipExistingDataset',
    'VOC_CLASSES', 'make_toy_voc', 'read_split', 'save_palette_png',
    'split_files', 'voc_palette',
    'VOCImageLabelDataset'
]
