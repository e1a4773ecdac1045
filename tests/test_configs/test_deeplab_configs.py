"""Segmentation configs inherited from mmseg, trained on pseudo labels."""
import glob
import json
import os.path as osp
import subprocess
import sys

import pytest
from mmengine.config import Config

from mmdrs.apis.label_generation import make_pseudo_labels

import mmseg

MMSEG_V3P = osp.join(osp.dirname(mmseg.__file__), '.mim', 'configs',
                     'deeplabv3plus',
                     'deeplabv3plus_r101-d8_4xb4-40k_voc12aug-512x512.py')


def _plain(x):
    """Config values without the ``_scope_`` keys ``mmseg::`` bases add."""
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items() if k != '_scope_'}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    return x


def test_voc_configs_replace_only_the_training_labels(repo_root):
    ours = Config.fromfile(
        osp.join(repo_root,
                 'configs/drs/deeplabv3plus_r101-d8_voc12aug_pseudo.py'))
    theirs = Config.fromfile(MMSEG_V3P)
    assert _plain(ours.model) == _plain(theirs.model)
    # real val masks
    assert _plain(ours.val_dataloader) == _plain(theirs.val_dataloader)
    assert _plain(ours.val_evaluator) == _plain(theirs.val_evaluator)
    assert _plain(ours.param_scheduler) == _plain(theirs.param_scheduler)
    pipe = ours.train_dataloader.dataset.pipeline
    assert [t['type'] for t in pipe] == [
        'LoadPseudoLabels' if t['type'] == 'LoadAnnotations' else t['type']
        for t in theirs.train_pipeline
    ]
    assert ours.train_dataloader.dataset.ann_file.endswith('trainaug.txt')
    v2 = Config.fromfile(
        osp.join(repo_root,
                 'configs/drs/deeplabv2_r101-d8_voc12aug_pseudo.py'))
    assert v2.model.decode_head.type == 'DeepLabV2Head'
    assert v2.model.decode_head.dilations == (6, 12, 18, 24)
    assert v2.model.auxiliary_head is None
    assert _plain(v2.model.backbone) == _plain(theirs.model.backbone)


def test_toy_deeplab_trains_on_pseudo_labels(toy_voc, repo_root, tmp_path,
                                             maps_from_masks):
    # pseudo labels from maps made of the masks (threshold mode)
    maps = maps_from_masks(toy_voc, str(tmp_path / 'maps'), noise=0.2)
    pseudo = str(tmp_path / 'pseudo')
    res = make_pseudo_labels(maps, toy_voc, pseudo, mode='constant',
                             bg_score=0.5, workers=0)
    assert res['mIoU'] > 50
    work = str(tmp_path / 'work')
    p = subprocess.run([
        sys.executable, 'tools/train.py',
        'configs/drs/toy/toy_deeplabv3plus_pseudo.py', '--work-dir', work,
        '--cfg-options', f'train_dataloader.dataset.data_root={toy_voc}',
        f'train_dataloader.dataset.pipeline.1.pseudo_dir={pseudo}',
        f'val_dataloader.dataset.data_root={toy_voc}',
        f'test_dataloader.dataset.data_root={toy_voc}',
        'train_cfg.max_iters=4', 'train_cfg.val_interval=4',
        'default_hooks.checkpoint.interval=4', 'param_scheduler.0.end=4',
        'default_hooks.logger.interval=1'
    ], cwd=repo_root, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-3000:]
    rows = []
    for f in glob.glob(osp.join(work, '*', 'vis_data', 'scalars.json')):
        rows += [json.loads(line) for line in open(f)]
    losses = [r['decode.loss_ce'] for r in rows if 'decode.loss_ce' in r]
    assert len(losses) == 4 and all(v == v for v in losses)
    val = [r for r in rows if 'mIoU' in r]  # mmseg's IoUMetric, toy val
    assert val and 0 <= val[-1]['mIoU'] <= 100 and 'aAcc' in val[-1]
    assert 0 <= val[-1]['oc/pixel_pct'] <= 100
    assert osp.isfile(osp.join(work, 'iter_4.pth'))

    # the same stage with OCR: its loss is logged beside the CE
    ocr_work = str(tmp_path / 'ocr')
    p = subprocess.run([
        sys.executable, 'tools/train.py',
        'configs/ocr/toy_deeplabv3plus_pseudo_ocr.py', '--work-dir',
        ocr_work, '--cfg-options',
        f'train_dataloader.dataset.data_root={toy_voc}',
        f'train_dataloader.dataset.pipeline.3.pseudo_dir={pseudo}',
        f'val_dataloader.dataset.data_root={toy_voc}',
        f'test_dataloader.dataset.data_root={toy_voc}',
        'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
        'default_hooks.checkpoint.interval=2', 'param_scheduler.0.end=2',
        'default_hooks.logger.interval=1'
    ], cwd=repo_root, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-3000:]
    rows = []
    for f in glob.glob(osp.join(ocr_work, '*', 'vis_data', 'scalars.json')):
        rows += [json.loads(line) for line in open(f)]
    ocr = [r['decode.loss_ocr'] for r in rows if 'decode.loss_ocr' in r]
    assert len(ocr) == 2 and all(v >= 0 for v in ocr)

    # the papers' "+CRF" rows: tools/test.py --crf wraps any segmentor
    pytest.importorskip('pydensecrf')
    p = subprocess.run([
        sys.executable, 'tools/test.py',
        'configs/drs/toy/toy_deeplabv3plus_pseudo.py',
        osp.join(work, 'iter_4.pth'), '--crf', '--work-dir', work,
        '--cfg-options', f'test_dataloader.dataset.data_root={toy_voc}'
    ], cwd=repo_root, capture_output=True, text=True, timeout=600)
    log = p.stdout + p.stderr
    assert p.returncode == 0, log[-3000:]
    assert 'DenseCRFPostProcessor' in log and 'mIoU' in log
    assert 'missing keys' not in log  # the checkpoint loaded into it
