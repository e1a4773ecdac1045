"""LabelGroupSampler and group_collate: group invariants, fallback, DDP."""
import os
import os.path as osp
import socket
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest
import torch
from mmseg.registry import DATASETS

from mmdrs.datasets import LabelGroupSampler, group_collate
from mmdrs.datasets.samplers import image_label_vectors


def _toy_trainaug(toy_voc, pipeline=()):
    one = dict(
        type='VOCImageLabelDataset', data_root=toy_voc,
        data_prefix=dict(img_path='JPEGImages',
                         seg_map_path='SegmentationClassAug'),
        ann_file='ImageSets/Segmentation/train.txt', pipeline=list(pipeline))
    return DATASETS.build(dict(type='ConcatDataset', datasets=[
        one, dict(one, ann_file='ImageSets/Segmentation/aug.txt')]))


class LabelList:
    """A minimal dataset: image labels given as data infos."""

    def __init__(self, rows):
        self.rows = [np.asarray(r, np.uint8) for r in rows]

    def __len__(self):
        return len(self.rows)

    def get_data_info(self, i):
        return dict(img_labels=self.rows[i], img_path=f'img{i}.jpg')


def test_labels_are_read_from_masks_as_the_pipeline_does(toy_voc):
    ds = _toy_trainaug(toy_voc, pipeline=[
        dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'),
        dict(type='LoadImageLabels')])
    labels = image_label_vectors(ds)
    assert labels.shape == (48, 20)
    for i in (0, 7, 30, 47):
        np.testing.assert_array_equal(labels[i], ds[i]['img_labels'])


def test_groups_share_the_anchor_label_and_cover_every_anchor(toy_voc):
    ds = _toy_trainaug(toy_voc)
    s = LabelGroupSampler(ds, group_size=3, seed=5)
    order = list(s)
    assert len(order) == len(s) == 48 * 3
    groups = [order[i:i + 3] for i in range(0, len(order), 3)]
    # every image is an anchor exactly once per epoch
    assert sorted(g[0] for g in groups) == list(range(48))
    counts = Counter(r.tobytes() for r in s.labels)
    for g in groups:
        a = s.labels[g[0]]
        if counts[a.tobytes()] > 1:  # an identical label set exists
            assert all(np.array_equal(s.labels[i], a) for i in g)
            assert g[0] not in g[1:]  # partners are other images
            if counts[a.tobytes()] >= 3:
                assert len(set(g)) == 3  # drawn without replacement
        else:  # fallback: partners share at least one anchor class
            for i in g[1:]:
                assert (s.labels[i] & a).any()
    # deterministic per (seed, epoch); the epoch changes anchors/partners
    assert list(LabelGroupSampler(ds, group_size=3, seed=5)) == order
    s.set_epoch(1)
    assert list(s) != order
    # in list order without shuffling (the authors' recipe)
    s2 = LabelGroupSampler(ds, group_size=3, seed=5, shuffle=False)
    assert [g[0] for g in zip(*[iter(list(s2))] * 3)] == list(range(48))


def test_anchor_ratio_keeps_the_images_per_epoch(toy_voc):
    ds = _toy_trainaug(toy_voc)
    s = LabelGroupSampler(ds, group_size=3, seed=0, anchor_ratio=1 / 3)
    order = list(s)
    assert len(order) == len(s) == 48
    assert len({order[i] for i in range(0, 48, 3)}) == 16


def test_fallback_for_rare_label_sets():
    rows = [
        [1, 0, 0], [1, 0, 0], [1, 0, 0],  # a common label set
        [1, 1, 0],  # unique set: partners must contain class 0 or 1
        [0, 0, 1],  # unique set, class 2 nowhere else: filled by itself
    ]
    s = LabelGroupSampler(LabelList(rows), group_size=3, seed=0,
                          shuffle=False)
    groups = [g for g in zip(*[iter(list(s))] * 3)]
    assert len(groups) == 5
    assert set(groups[0]) == {0, 1, 2}
    assert all(set(g[1:]) <= {0, 1, 2} for g in groups[3:4])
    assert groups[4] == (4, 4, 4)
    assert s.fallback_counts == dict(label_set=1, self_filled=1)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match='group_size'):
        LabelGroupSampler(LabelList([[1]]), group_size=0)
    with pytest.raises(ValueError, match='anchor_ratio'):
        LabelGroupSampler(LabelList([[1]]), anchor_ratio=0)


def test_group_collate_marks_groups_and_refuses_split_groups():
    from mmseg.structures import SegDataSample
    batch = [dict(inputs=torch.zeros(3, 4, 4), data_samples=SegDataSample())
             for _ in range(6)]
    out = group_collate(batch, group_size=3)
    metas = [(d.group_size, d.group_index, d.group_member)
             for d in out['data_samples']]
    assert metas == [(3, 0, 0), (3, 0, 1), (3, 0, 2), (3, 1, 0), (3, 1, 1),
                     (3, 1, 2)]
    assert len(out['inputs']) == 6
    with pytest.raises(ValueError, match='batch_size to a multiple'):
        group_collate(batch[:4], group_size=3)


def test_ddp_gloo_two_ranks_never_split_a_group(toy_voc, tmp_path,
                                                repo_root):
    # two real processes started by torch.distributed.run, as dist_train.sh
    # does (an in-process multiprocessing.spawn has no timeout)
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    out = str(tmp_path / 'ranks.pth')
    worker = osp.join(osp.dirname(osp.abspath(__file__)),
                      'group_sampler_ddp_worker.py')
    p = subprocess.run([
        sys.executable, '-m', 'torch.distributed.run', '--nnodes=1',
        '--nproc_per_node=2', '--master_addr=127.0.0.1',
        f'--master_port={port}', worker, toy_voc, out
    ], cwd=repo_root, capture_output=True, text=True, timeout=300,
        env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert p.returncode == 0, (p.stdout + p.stderr)[-3000:]
    res = torch.load(out)
    per_rank = res['batches']
    seen_groups = []
    for batches in per_rank:
        assert len(batches) == 12  # 48 groups / 2 ranks / 2 per batch
        for batch in batches:
            assert len(batch) == 6
            for k in range(0, 6, 3):
                group = batch[k:k + 3]
                assert [m[2] for m in group] == [0, 1, 2]
                assert len({m[1] for m in group}) == 1
                seen_groups.append(tuple(m[0] for m in group))
    anchors = [g[0] for g in seen_groups]
    assert len(anchors) == len(set(anchors)) == 48  # each anchor once
    # exactly the groups a single process draws for this seed and epoch,
    # split between the ranks group by group
    assert sorted(seen_groups) == sorted(res['groups'])
    for r, batches in enumerate(per_rank):
        assert sum(m[2] == 0 for b in batches for m in b) == 24
        for b in batches:
            for k in range(0, 6, 3):
                labels = [np.array(m[3]) for m in b[k:k + 3]]
                assert all((lab & labels[0]).any() for lab in labels)
