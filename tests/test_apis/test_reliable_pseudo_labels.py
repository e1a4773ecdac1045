"""make_pseudo_labels --mode reliable (RRM's rule, saliency-free)."""
import json
import os.path as osp

import numpy as np
import pytest
from PIL import Image

from mmdrs.apis.label_generation import make_pseudo_labels, pseudo_label
from mmdrs.datasets import read_split

pytest.importorskip('pydensecrf.densecrf')


def test_reliable_mode_labels_a_precise_subset(toy_voc, tmp_path,
                                               maps_from_masks):
    maps = maps_from_masks(toy_voc, str(tmp_path / 'maps'), split='train',
                           noise=0.2)
    res = make_pseudo_labels(maps, toy_voc, str(tmp_path / 'rel'),
                             split='train', mode='reliable', workers=0)
    assert res['written'] == 24
    # unsure pixels are ignored (255); what is labelled is nearly all right
    assert 5 < res['ignored_pct'] < 95
    assert res['precision'] > 95 and res['coverage'] < 95
    # the saliency-free threshold rule on the same maps labels everything
    thr = make_pseudo_labels(maps, toy_voc, str(tmp_path / 'thr'),
                             split='train', mode='constant', bg_score=0.5,
                             workers=0)
    assert thr['coverage'] == 100 and thr['ignored_pct'] == 0
    first = read_split(toy_voc, 'train')[0]
    label = np.array(Image.open(str(tmp_path / 'rel' / f'{first}.png')))
    gt = np.array(Image.open(
        osp.join(toy_voc, 'SegmentationClassAug', f'{first}.png')))
    present = set(np.unique(gt).tolist()) | {255}
    assert set(np.unique(label).tolist()) <= present


def test_reliable_mode_from_the_command_line(toy_voc, tmp_path,
                                             maps_from_masks, repo_root):
    import sys
    sys.path.insert(0, osp.join(repo_root, 'tools'))
    import make_pseudo_labels as tool
    maps = maps_from_masks(toy_voc, str(tmp_path / 'maps'), split='train',
                           noise=0.2)
    out = str(tmp_path / 'cli')
    res = tool.main([maps, '--data-root', toy_voc, '--out-dir', out,
                     '--split', 'train', '--mode', 'reliable',
                     '--workers', '0'])
    with open(osp.join(out, 'pseudo_label_eval.json')) as f:
        assert json.load(f) == res
    assert res['ignored_pct'] > 0


def test_reliable_mode_needs_the_image():
    with pytest.raises(ValueError, match='needs the image'):
        pseudo_label(np.zeros((2, 8, 8), np.float32), mode='reliable')
