"""mmdrs.apis.label_generation and tools/make_pseudo_labels.py on maps
made from the toy masks: the saliency, threshold and reliable-region
(RRM) rules."""
import glob
import json
import os
import os.path as osp
import shutil
import signal
import subprocess
import sys

import cv2
import numpy as np
import pytest
from PIL import Image

from mmdrs.apis.label_generation import (evaluate_labels, make_pseudo_labels,
                                         pseudo_label)
from mmdrs.datasets import read_split


def _gt(root, i):
    return np.array(Image.open(
        osp.join(root, 'SegmentationClassAug', f'{i}.png')))


def test_modes_score_against_masks(toy_voc, tmp_path, maps_from_masks):
    maps = maps_from_masks(toy_voc, str(tmp_path / 'maps'))
    res = make_pseudo_labels(maps, toy_voc, str(tmp_path / 'c'),
                             mode='constant', workers=0)
    assert res['num_images'] == 48 and res['written'] == 48
    assert res['mIoU'] == 100.0 and res['ignored_pct'] == 0
    assert res['precision'] == 100.0 and res['coverage'] == 100.0
    ids = read_split(toy_voc, 'trainaug')
    png = Image.open(str(tmp_path / 'c' / f'{ids[0]}.png'))
    assert png.mode == 'P'  # palette PNG, mmseg's label layout
    assert np.array_equal(np.array(png), _gt(toy_voc, ids[0]))
    # saliency mode with the toy's imperfect saliency: ignores some pixels
    res = make_pseudo_labels(maps, toy_voc, str(tmp_path / 's'), workers=2)
    assert 50 < res['mIoU'] < 100 and res['ignored_pct'] > 0
    # ignore regions lower the coverage; what stays labelled is purer
    assert res['coverage'] < 100 and res['precision'] > res['mIoU']
    again = make_pseudo_labels(maps, toy_voc, str(tmp_path / 's'),
                               workers=2)
    assert again['written'] == 0 and again['skipped'] == 48
    assert again['mIoU'] == res['mIoU']


def test_a_label_folder_is_scored_as_its_writer_scores_it(
        toy_voc, tmp_path, maps_from_masks, score_labels):
    """evaluate_labels on labels it did not write (a segmentor's) gives
    make_pseudo_labels' own numbers; a missing or mis-sized PNG is named."""
    maps = maps_from_masks(toy_voc, str(tmp_path / 'maps'), noise=0.5)
    out = str(tmp_path / 'labels')
    made = make_pseudo_labels(maps, toy_voc, out, split='train',
                              mode='reliable', workers=0)
    res = evaluate_labels(out, toy_voc, 'train')
    assert 0 < res['mIoU'] < 100 and res['ignored_pct'] > 0
    for key in ('num_images', 'mIoU', 'ignored_pct', 'precision',
                'coverage'):
        assert res[key] == made[key], key
    assert res['mIoU'] == pytest.approx(
        score_labels(out, toy_voc, 'train'), abs=0.01)
    first = read_split(toy_voc, 'train')[0]
    png = osp.join(out, f'{first}.png')
    Image.fromarray(np.zeros((5, 7), np.uint8)).save(png)
    with pytest.raises(ValueError, match=f'{first}.png.*at image size'):
        evaluate_labels(out, toy_voc, 'train')
    os.remove(png)
    with pytest.raises(FileNotFoundError, match=f'label .*{first}.png'):
        evaluate_labels(out, toy_voc, 'train')


def test_bad_saliency_inputs_name_the_file(toy_voc, tmp_path,
                                           maps_from_masks):
    data = str(tmp_path / 'data')
    shutil.copytree(toy_voc, data)
    maps = maps_from_masks(data, str(tmp_path / 'maps'), split='train')
    first = read_split(data, 'train')[0]
    sal = osp.join(data, 'SaliencyMaps', f'{first}.png')
    cv2.imwrite(sal, np.zeros((10, 12), np.uint8))
    with pytest.raises(ValueError, match=f'{first}.png is \\(10, 12\\)'):
        make_pseudo_labels(maps, data, str(tmp_path / 'o'), split='train',
                           workers=0)
    os.remove(sal)
    with pytest.raises(FileNotFoundError, match=f'{first}.png not found'):
        make_pseudo_labels(maps, data, str(tmp_path / 'o2'), split='train',
                           workers=0)
    with pytest.raises(FileNotFoundError, match='nosal'):
        make_pseudo_labels(maps, data, str(tmp_path / 'o3'), split='train',
                           saliency_dir='nosal', workers=0)


CRASH = """
import os, signal, sys
sys.path.insert(0, {repo!r})
import mmdrs
from mmdrs.apis import label_generation as pl
from mmdrs.utils.atomic import atomic_write
orig, calls = pl.save_palette_png, [0]
def crashing(path, label):
    calls[0] += 1
    if calls[0] == 6:  # killed while the 6th PNG is half written
        def half(tmp):
            open(tmp, 'wb').write(b'\\x89PNG half')
            os.kill(os.getpid(), signal.SIGKILL)
        atomic_write(path, half)
    orig(path, label)
pl.save_palette_png = crashing
pl.make_pseudo_labels({maps!r}, {root!r}, {out!r}, workers=0)
"""


def test_killed_run_resumes_without_corrupt_pngs(toy_voc, tmp_path,
                                                 repo_root, maps_from_masks,
                                                 load_tool):
    maps = maps_from_masks(toy_voc, str(tmp_path / 'maps'), noise=0.3)
    ref = str(tmp_path / 'ref')
    make_pseudo_labels(maps, toy_voc, ref, workers=0)
    out = str(tmp_path / 'out')
    p = subprocess.run([sys.executable, '-c', CRASH.format(
        repo=repo_root, maps=maps, root=toy_voc, out=out)],
        capture_output=True, text=True)
    assert p.returncode == -signal.SIGKILL, p.stderr[-2000:]
    done = glob.glob(osp.join(out, '*.png'))  # temp files are hidden
    assert len(done) == 5 and len(glob.glob(osp.join(out, '.*.tmp*'))) == 1
    for f in done:  # every PNG present is complete
        assert np.array_equal(np.array(Image.open(f)),
                              np.array(Image.open(osp.join(
                                  ref, osp.basename(f)))))
    # the command line resumes it (in this process: only the crash needed
    # a process of its own)
    load_tool('make_pseudo_labels').main([
        maps, '--data-root', toy_voc, '--out-dir', out, '--workers', '2'])
    assert not glob.glob(osp.join(out, '.*.tmp*'))  # the stale one is gone
    pngs = sorted(f for f in os.listdir(ref) if f.endswith('.png'))
    assert len(pngs) == 48
    assert sorted(f for f in os.listdir(out) if f.endswith('.png')) == pngs
    for f in pngs:
        assert np.array_equal(np.array(Image.open(osp.join(out, f))),
                              np.array(Image.open(osp.join(ref, f))))
    res = json.load(open(osp.join(out, 'pseudo_label_eval.json')))
    assert res['num_images'] == 48 and res['written'] == 43


def test_reliable_mode_labels_a_precise_subset(toy_voc, tmp_path,
                                               maps_from_masks):
    pytest.importorskip('pydensecrf.densecrf')  # RRM's rule has a CRF
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
                                             maps_from_masks, load_tool):
    pytest.importorskip('pydensecrf.densecrf')
    tool = load_tool('make_pseudo_labels')
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


def test_crf_settings_are_what_the_crf_runs():
    """The labels' CRF is IRN's, the scores' is dense_crf's defaults with
    the normalised unary; ``crf_cfg`` goes over either; no CRF, none."""
    from mmdrs.apis.label_generation import crf_settings
    from mmdrs.models.utils.crf import IRN_LABEL_CRF
    assert crf_settings(False, dict(bilateral_srgb=3)) == {}
    assert crf_settings('labels') == IRN_LABEL_CRF
    scores = crf_settings(True, dict(iters=5))
    assert crf_settings('scores', dict(iters=5)) == scores
    assert scores['unary'] == 'normalized' and scores['iters'] == 5
    assert scores['bilateral_srgb'] == 13 and 'gt_prob' in scores
    assert crf_settings('labels', dict(gt_prob=0.9))['gt_prob'] == 0.9
