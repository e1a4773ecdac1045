from .group_collate import group_collate
from .label_group_sampler import LabelGroupSampler, image_label_vectors

__all__ = ['LabelGroupSampler', 'group_collate', 'image_label_vectors']
