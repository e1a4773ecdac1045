"""Collate that keeps the group structure of :class:`LabelGroupSampler`."""
from typing import Sequence

from mmengine.dataset import pseudo_collate
from mmengine.registry import FUNCTIONS


@FUNCTIONS.register_module()
def group_collate(data_batch: Sequence, group_size: int = 3) -> dict:
    """mmengine's ``pseudo_collate`` plus each sample's place in its group.

    The batch holds ``B = len(data_batch) / group_size`` whole groups, one
    after the other, the anchor first (as :class:`LabelGroupSampler`
    yields them). Each data sample gets the metainfo ``group_size``,
    ``group_index`` (0..B-1) and ``group_member`` (0 = the anchor), which
    mmengine's data preprocessor passes through to the model unchanged.

    Set it with the sampler in the dataloader config::

        sampler=dict(type='LabelGroupSampler', group_size=3),
        collate_fn=dict(type='group_collate', group_size=3),
        batch_size=3 * groups_per_batch,

    Args:
        data_batch (Sequence[dict]): Items of the dataset (``inputs``,
            ``data_samples``).
        group_size (int): Images per group. Defaults to 3.

    Returns:
        dict: ``inputs`` (list of tensors) and ``data_samples``.
    """
    if len(data_batch) % group_size:
        raise ValueError(
            f'group_collate: a batch of {len(data_batch)} images is not a '
            f'whole number of groups of {group_size}; set the dataloader '
            f'batch_size to a multiple of group_size and use '
            f'LabelGroupSampler(group_size={group_size})')
    batch = pseudo_collate(data_batch)
    for i, ds in enumerate(batch['data_samples']):
        ds.set_metainfo(
            dict(group_size=group_size, group_index=i // group_size,
                 group_member=i % group_size))
    return batch
