"""tools/generate_maps.py (+ dist), eval_maps.py and visualize_maps.py.

The tools run in this process (``main(argv)``) except where a process of
their own is the point: a run killed part-way, two ranks.
"""
import contextlib
import glob
import io
import json
import os
import os.path as osp
import shutil
import signal
import socket
import subprocess
import sys
import time

import cv2
import numpy as np
import pytest
from PIL import Image

from mmdrs.datasets import read_split
from mmdrs.datasets.voc_layout import VOC_CLASSES


def _run(args, repo_root, env=None, timeout=600):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run(args, cwd=repo_root, env=e, capture_output=True,
                          text=True, timeout=timeout)


def _args(cfg, ckpt, out, *extra):
    return [cfg, ckpt, '--out-dir', out, '--split', 'train', '--batch-size',
            '4', *extra]


def _gen(repo_root, cfg, ckpt, out, *extra):
    """The command line of a generate_maps.py process."""
    return [sys.executable, 'tools/generate_maps.py',
            *_args(cfg, ckpt, out, *extra)]


def _main(tool, argv):
    """``tool.main(argv)`` in this process; returns what it printed."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        tool.main(argv)
    return buf.getvalue()


def _load_all(out):
    files = sorted(glob.glob(osp.join(out, '*.npz')))
    res = {}
    for f in files:
        with np.load(f) as z:
            res[osp.basename(f)] = (z['labels'].tolist(), z['maps'].copy())
    return res


def _assert_same(a, b, max_step=0):
    assert sorted(a) == sorted(b)
    for k in a:
        assert a[k][0] == b[k][0], k
        d = np.abs(a[k][1].astype(int) - b[k][1].astype(int))
        assert d.max(initial=0) <= max_step, k


@pytest.fixture(scope='module')
def ref_maps(tiny_checkpoint, load_tool, tmp_path_factory):
    """(folder, printed output) of one generate_maps.py run of the tiny
    classifier over train, in this process: the reference the other runs
    are compared with (read-only)."""
    cfg, ckpt = tiny_checkpoint
    out = str(tmp_path_factory.mktemp('maps') / 'ref')
    return out, _main(load_tool('generate_maps'), _args(cfg, ckpt, out))


def test_generate_format_resume_and_eval(tiny_checkpoint, ref_maps,
                                         load_tool, toy_voc, tmp_path,
                                         score_maps):
    cfg, ckpt = tiny_checkpoint
    out, printed = ref_maps
    assert 'img/s' in printed and '24/24 images' in printed
    ids = read_split(toy_voc, 'train')
    maps = _load_all(out)
    assert sorted(maps) == sorted(f'{i}.npz' for i in ids)
    for i in ids[:6]:  # the image's classes, at its original size, uint8
        gt = np.array(Image.open(
            osp.join(toy_voc, 'SegmentationClassAug', f'{i}.png')))
        labels, m = maps[f'{i}.npz']
        assert labels == [int(v) - 1 for v in np.unique(gt) if 0 < v < 255]
        assert m.dtype == np.uint8 and m.shape == (len(labels), *gt.shape)
        assert m.max() >= 240  # normalised to 1 (then resized to the image)
    assert osp.isfile(osp.join(out, 'maps_meta.json'))
    assert not glob.glob(osp.join(out, '.*.tmp*'))

    # everything present: nothing is recomputed
    tool = load_tool('generate_maps')
    assert 'all 24 maps exist' in _main(tool, _args(cfg, ckpt, out))
    # other settings into the same folder are refused
    with pytest.raises(ValueError, match='maps_meta.json') as e:
        _main(tool, _args(cfg, ckpt, out, '--flip'))
    assert 'flip=False vs True' in str(e.value)

    # evaluation: JSON with the sweep, per-class table, best threshold
    js = str(tmp_path / 'eval.json')
    _main(load_tool('analysis/eval_maps'), [
        out, '--data-root', toy_voc, '--saliency-dir', 'SaliencyMaps',
        '--out', js])
    res = json.load(open(js))
    assert res['num_images'] == 24
    # every threshold's mIoU as computed independently, the best one kept
    want = score_maps(out, toy_voc, 'train')
    assert {float(t): m for t, m in res['mIoU_per_threshold'].items()} == \
        pytest.approx(want, abs=1e-6)
    assert res['mIoU'] == pytest.approx(max(want.values()), abs=0.005)
    assert want[res['best_threshold']] == max(want.values())
    assert 'sal_mIoU' in res and 'background' in res['IoU_per_class']

    # visualisation grid: 3 rows of 64-px tiles, two map sets side by side
    png = str(tmp_path / 'grid.png')
    _main(load_tool('analysis/visualize_maps'), [
        out, out, '--names', 'a', 'b', '--data-root', toy_voc, '--num', '3',
        '--tile', '64', '--out', png])
    img = cv2.imread(png)
    assert img.shape[0] == 3 * 64 and img.shape[1] % 64 == 0
    assert img.shape[1] >= 64 * (2 + 2 * 2)  # image, GT, 2 x (map, pred)
    # a background threshold per folder: above every (normalised) score
    # the prediction tile is all background, at 0 it is not; one threshold
    # per folder or a single one, anything else is refused
    _main(load_tool('analysis/visualize_maps'), [
        out, out, '--names', 'a', 'b', '--data-root', toy_voc, '--num', '1',
        '--tile', '64', '--threshold', '0', '1.01', '--normalize', '--out',
        png])
    img = cv2.imread(png)
    half = img.shape[1] // 2 + 64  # each set: (classes + 1) tiles
    pred_a = img[16:64, half - 64:half]
    pred_b = img[16:64, -64:]
    assert pred_a.any() and not pred_b.any()
    with pytest.raises(ValueError, match='one value or one per maps folder'):
        _main(load_tool('analysis/visualize_maps'), [
            out, '--data-root', toy_voc, '--threshold', '0.1', '0.2',
            '--out', png])
    # a folder of label PNGs (here the masks themselves): one tile per row,
    # the label coloured as the GT tile (their captions differ)
    _main(load_tool('analysis/visualize_maps'), [
        osp.join(toy_voc, 'SegmentationClassAug'), '--names', 'masks',
        '--data-root', toy_voc, '--num', '3', '--tile', '64', '--out', png])
    img = cv2.imread(png)
    assert img.shape[:2] == (3 * 64, 3 * 64)  # image, GT, label
    for r in range(3):
        body = slice(r * 64 + 16, r * 64 + 64)  # below the caption band
        assert np.array_equal(img[body, 64:128], img[body, 128:192])


def test_fixed_out_size_and_bad_inputs(tiny_checkpoint, load_tool, toy_voc,
                                       tmp_path):
    cfg, ckpt = tiny_checkpoint
    tool = load_tool('generate_maps')
    out = str(tmp_path / 'maps32')
    _main(tool, _args(cfg, ckpt, out, '--out-size', '32', '40', '--scales',
                      '48', '64'))
    labels, m = next(iter(_load_all(out).values()))
    assert m.shape == (len(labels), 32, 40)

    with pytest.raises(FileNotFoundError, match='no.pth not found'):
        _main(tool, _args(cfg, str(tmp_path / 'no.pth'),
                          str(tmp_path / 'x')))

    # a checkpoint of another architecture (here: trained with a fixed DRS
    # delta, mapped with a learnable one) is refused, not loaded leniently
    # with random suppression controllers; and the other way round
    with pytest.raises(ValueError, match=r'does not fit.* 3 missing keys '
                       r'\[cam_head\.convs\.1\.suppression_controller'):
        _main(tool, _args(cfg, ckpt, str(tmp_path / 'z'), '--cfg-options',
                          'model.cam_head.drs_cfg.delta=learnable'))
    import torch
    from mmengine.config import Config
    from mmseg.registry import MODELS
    learnable = Config.fromfile(cfg)
    learnable.model.cam_head.drs_cfg = dict(delta='learnable')
    state = MODELS.build(learnable.model).state_dict()
    torch.save(dict(state_dict=state), str(tmp_path / 'learnable.pth'))
    with pytest.raises(ValueError, match=r' 0 missing keys \[\], 3 unexpected'
                       r' keys \[cam_head\.convs\.1\.suppression_contr'):
        _main(tool, _args(cfg, str(tmp_path / 'learnable.pth'),
                          str(tmp_path / 'z2')))

    # a missing image is named
    data = str(tmp_path / 'data')
    shutil.copytree(toy_voc, data)
    first = read_split(data, 'train')[0]
    os.remove(osp.join(data, 'JPEGImages', f'{first}.jpg'))
    opt = f'test_dataloader.dataset.data_root={data}'
    with pytest.raises(Exception, match=f'{first}.jpg'):
        _main(tool, _args(cfg, ckpt, str(tmp_path / 'y'), '--cfg-options',
                          opt))

    # maps of another class set / size are refused by the evaluation
    from mmdrs.apis import evaluate_maps
    from mmdrs.fileio import save_cam_maps
    bad = str(tmp_path / 'bad')
    os.makedirs(bad)
    for i in read_split(toy_voc, 'train'):
        save_cam_maps(osp.join(bad, f'{i}.npz'), np.zeros((1, 64, 64)), [0],
                      ['cls%d' % k for k in range(20)])
    with pytest.raises(ValueError, match=r'\.npz.*another dataset'):
        evaluate_maps(bad, toy_voc)
    with pytest.raises(ValueError, match=r'\.npz.*expected \(64, 64\)'):
        for i in read_split(toy_voc, 'train'):
            save_cam_maps(osp.join(bad, f'{i}.npz'), np.zeros((1, 8, 8)),
                          [0], VOC_CLASSES)
        evaluate_maps(bad, toy_voc)
    with pytest.raises(FileNotFoundError, match='missing'):
        evaluate_maps(str(tmp_path / 'missing'), toy_voc)


def test_killed_run_resumes_to_the_same_files(tiny_checkpoint, ref_maps,
                                              load_tool, repo_root,
                                              tmp_path):
    cfg, ckpt = tiny_checkpoint
    out = str(tmp_path / 'killed')
    cmd = _gen(repo_root, cfg, ckpt, out)
    cmd[cmd.index('--batch-size') + 1] = '1'
    proc = subprocess.Popen(cmd, cwd=repo_root, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 300
    while len(glob.glob(osp.join(out, '*.npz'))) < 5:
        assert proc.poll() is None, 'finished before it could be killed'
        assert time.time() < deadline
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = len(glob.glob(osp.join(out, '*.npz')))
    assert 5 <= done < 24
    printed = _main(load_tool('generate_maps'), _args(cfg, ckpt, out))
    assert f'{24 - done}/{24 - done} images' in printed
    assert not glob.glob(osp.join(out, '.*.tmp*'))
    _assert_same(_load_all(out), _load_all(ref_maps[0]), max_step=1)


def test_two_rank_gloo_output_equals_single_process(tiny_checkpoint,
                                                    ref_maps, repo_root,
                                                    tmp_path):
    cfg, ckpt = tiny_checkpoint
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    dist = str(tmp_path / 'dist')
    p = _run([
        'bash', 'tools/dist_generate_maps.sh', cfg, ckpt, '2', '--out-dir',
        dist, '--split', 'train', '--batch-size', '4'
    ], repo_root, env=dict(PORT=str(port), PYTHON=sys.executable,
                           OMP_NUM_THREADS='1'))
    assert p.returncode == 0, (p.stdout + p.stderr)[-3000:]
    log = p.stdout + p.stderr
    assert 'maps/written: 24' in log  # 12 + 12: no duplicate, no gap
    _assert_same(_load_all(dist), _load_all(ref_maps[0]), max_step=1)


def test_eval_relative_root_and_fixed_size_maps(toy_voc, tmp_path,
                                                maps_from_masks,
                                                monkeypatch):
    import cv2
    from PIL import Image

    from mmdrs.apis import evaluate_maps
    from mmdrs.fileio import save_cam_maps
    maps = maps_from_masks(toy_voc, str(tmp_path / 'maps'), split='train')
    monkeypatch.chdir(osp.dirname(toy_voc))
    rel = osp.basename(toy_voc)  # a data root relative to the cwd
    res = evaluate_maps(maps, rel, 'train', saliency_dir='SaliencyMaps')
    assert res['mIoU'] > 99 and res['eval_size'] is None
    # the toy's imperfect saliency maps cost the saliency protocol
    assert 40 < res['sal_mIoU'] < res['mIoU'] - 1
    # maps stored at a fixed size (--out-size): the masks and saliency maps
    # are resized to it (nearest), as the authors' 320x320 validation
    small = str(tmp_path / 'small')
    os.makedirs(small)
    for i in read_split(toy_voc, 'train'):
        gt = np.array(Image.open(
            osp.join(toy_voc, 'SegmentationClassAug', f'{i}.png')))
        gt = cv2.resize(gt, (32, 32), interpolation=cv2.INTER_NEAREST)
        labels = [int(v) - 1 for v in np.unique(gt) if 0 < v < 255]
        save_cam_maps(osp.join(small, f'{i}.npz'),
                      np.stack([(gt == k + 1).astype(np.float32)
                                for k in labels]), labels, VOC_CLASSES)
    with open(osp.join(small, 'maps_meta.json'), 'w') as f:
        json.dump(dict(out_size=[32, 32]), f)
    res = evaluate_maps(small, rel, 'train', saliency_dir='SaliencyMaps')
    assert res['eval_size'] == [32, 32] and res['mIoU'] > 99
    assert 'sal_mIoU' in res
