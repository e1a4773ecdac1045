"""A sampler that yields whole groups of images sharing their image label."""
import math
import os.path as osp
from collections import defaultdict
from typing import Dict, Iterator, List, Optional, Sized

import numpy as np
from mmengine.dist import get_dist_info, sync_random_seed
from mmengine.logging import print_log
from mmseg.registry import DATA_SAMPLERS
from torch.utils.data import Sampler


def image_label_vectors(dataset) -> np.ndarray:
    """The (N, K) {0, 1} image labels of every item of a dataset.

    Labels the dataset already holds (``img_labels`` of its data infos: XML
    or label-file sources of :class:`~mmdrs.datasets.VOCImageLabelDataset`)
    are used as they are; otherwise they are read from the masks
    (``seg_map_path``, the dataset's ``label_map`` applied), as
    :class:`~mmdrs.datasets.LoadImageLabels` derives them.

    Args:
        dataset: A dataset with ``get_data_info`` (mmengine ``BaseDataset``
            or ``ConcatDataset`` of them).

    Returns:
        ndarray: (N, K) uint8.
    """
    from PIL import Image
    rows = []
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        if info.get('img_labels') is not None:
            rows.append(np.asarray(info['img_labels'], np.uint8).ravel())
            continue
        path = info.get('seg_map_path')
        if not path or 'num_fg_classes' not in info:
            raise KeyError(
                f'LabelGroupSampler: item {i} ({info.get("img_path", "?")}) '
                'has neither img_labels nor seg_map_path + num_fg_classes; '
                'use VOCImageLabelDataset (or a dataset providing them)')
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'LabelGroupSampler: mask {path} of item {i} not found')
        seg = np.array(Image.open(path))
        label_map = info.get('label_map')
        if label_map:
            mapped = seg.copy()
            for old, new in label_map.items():
                mapped[seg == old] = new
            seg = mapped
        from ..transforms.image_labels import labels_from_seg_map
        rows.append(labels_from_seg_map(seg, info['num_fg_classes']))
    if not rows:
        raise ValueError('LabelGroupSampler: the dataset is empty')
    return np.stack(rows)


@DATA_SAMPLERS.register_module()
class LabelGroupSampler(Sampler):
    """Yield groups of ``group_size`` images with identical image labels.

    Group-WSSS (Li et al., AAAI 2021) trains on groups: an anchor image plus
    ``group_size - 1`` partners whose label vector equals the anchor's. Each
    epoch this sampler takes the anchors (all items, shuffled or in order;
    or a fraction ``anchor_ratio`` of them), draws each anchor's partners
    and yields the indices group after group, the anchor first: ``[a0,
    p0, p0', a1, p1, p1', ...]``. With a dataloader ``batch_size`` that is a
    multiple of ``group_size`` (checked by :func:`group_collate`) no batch
    splits a group.

    **Partners.** Drawn uniformly, without replacement when enough exist,
    from the other items with the identical label vector. **Fallback for
    rare label sets:** when no other item has the anchor's exact label
    vector, one of the anchor's classes is drawn and the partners come from
    the items containing that class (the authors' fallback, which they reach
    after 1,000 failed random draws); when no other item contains it either,
    the anchor itself fills the group. Fallback groups are counted
    (``fallback_counts``: label-set and self-filled groups of the last
    epoch).

    **Distributed.** Every rank draws the same groups from the shared seed
    and epoch (``set_epoch``, called by mmengine's ``DistSamplerSeedHook``),
    pads the group list to a multiple of the world size (``round_up``) and
    takes every ``world_size``-th group, so a group is never split across
    processes, and every anchor is used once per epoch over all ranks.

    Args:
        dataset (Sized): The training dataset (image labels are read once,
            see :func:`image_label_vectors`).
        group_size (int): Images per group, anchor included. Defaults to 3
            (the authors').
        shuffle (bool): Shuffle the anchors each epoch. Defaults to True
            (the authors keep the list order: their recipe sets False).
        seed (int, optional): Random seed; None syncs a random one across
            ranks (as mmengine's ``DefaultSampler``).
        anchor_ratio (float): Fraction of the items used as anchors per
            epoch, in (0, 1]. ``1 / group_size`` keeps the images per epoch
            of ungrouped training (equal budget). Defaults to 1.0.
        round_up (bool): Pad the groups to a multiple of the world size.
            Defaults to True.
    """

    def __init__(self,
                 dataset: Sized,
                 group_size: int = 3,
                 shuffle: bool = True,
                 seed: Optional[int] = None,
                 anchor_ratio: float = 1.0,
                 round_up: bool = True) -> None:
        if int(group_size) != group_size or group_size < 1:
            raise ValueError(f'LabelGroupSampler: group_size must be a '
                             f'positive integer, got {group_size!r}')
        if not 0 < anchor_ratio <= 1:
            raise ValueError(f'LabelGroupSampler: anchor_ratio must be in '
                             f'(0, 1], got {anchor_ratio!r}')
        rank, world_size = get_dist_info()
        self.rank, self.world_size = rank, world_size
        self.dataset = dataset
        self.group_size = int(group_size)
        self.shuffle = shuffle
        self.seed = sync_random_seed() if seed is None else seed
        self.anchor_ratio = anchor_ratio
        self.round_up = round_up
        self.epoch = 0
        self.labels = image_label_vectors(dataset)
        self._by_label: Dict[bytes, np.ndarray] = {}
        groups = defaultdict(list)
        for i, row in enumerate(self.labels):
            groups[row.tobytes()].append(i)
        self._by_label = {k: np.asarray(v) for k, v in groups.items()}
        self._by_class = [
            np.flatnonzero(self.labels[:, c])
            for c in range(self.labels.shape[1])
        ]
        self.fallback_counts = dict(label_set=0, self_filled=0)
        n = len(self.labels)
        self.num_anchors = max(1, int(round(n * anchor_ratio)))
        if round_up:
            self.groups_per_rank = math.ceil(self.num_anchors / world_size)
        else:
            self.groups_per_rank = len(
                range(rank, self.num_anchors, world_size))
        rare = sum(len(v) < self.group_size for v in self._by_label.values())
        print_log(
            f'LabelGroupSampler: {n} images, {len(self._by_label)} label '
            f'sets ({rare} with fewer than {self.group_size} images), '
            f'{self.num_anchors} groups of {self.group_size} per epoch',
            logger='current')

    def _partners(self, anchor: int, rng: np.random.Generator) -> List[int]:
        """``group_size - 1`` partner indices of ``anchor``."""
        need = self.group_size - 1
        if need == 0:
            return []
        pool = self._by_label[self.labels[anchor].tobytes()]
        pool = pool[pool != anchor]
        if len(pool) == 0:
            classes = np.flatnonzero(self.labels[anchor])
            if len(classes):
                c = classes[rng.integers(len(classes))]
                pool = self._by_class[c]
                pool = pool[pool != anchor]
            if len(pool) == 0:
                self.fallback_counts['self_filled'] += 1
                return [anchor] * need
            self.fallback_counts['label_set'] += 1
        replace = len(pool) < need
        return [int(i) for i in rng.choice(pool, need, replace=replace)]

    def epoch_groups(self) -> List[List[int]]:
        """All groups of the current epoch (every rank's), anchor first."""
        rng = np.random.default_rng(self.seed + self.epoch)
        n = len(self.labels)
        order = rng.permutation(n) if self.shuffle else np.arange(n)
        anchors = order[:self.num_anchors]
        self.fallback_counts = dict(label_set=0, self_filled=0)
        groups = [[int(a)] + self._partners(int(a), rng) for a in anchors]
        if self.round_up:
            total = self.groups_per_rank * self.world_size
            groups = [groups[i % len(groups)] for i in range(total)]
        return groups

    def __iter__(self) -> Iterator[int]:
        groups = self.epoch_groups()[self.rank::self.world_size]
        return iter([i for g in groups for i in g])

    def __len__(self) -> int:
        return self.groups_per_rank * self.group_size

    def set_epoch(self, epoch: int) -> None:
        """Set the epoch; it seeds the anchor order and the partners."""
        self.epoch = epoch
