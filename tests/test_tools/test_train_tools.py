"""tools/train.py, tools/test.py and tools/dist_train.sh, end to end."""
import glob
import json
import os
import os.path as osp
import socket
import subprocess
import sys

import pytest


def _run(args, repo_root, env=None, timeout=600):
    e = dict(os.environ)
    e.update(env or {})
    proc = subprocess.run(
        args, cwd=repo_root, env=e, capture_output=True, text=True,
        timeout=timeout)
    return proc


def _scalars(work_dir):
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                      'scalars.json')))
    assert files, f'no scalars.json under {work_dir}'
    rows = []
    for f in files:
        with open(f) as fh:
            rows += [json.loads(line) for line in fh]
    return rows


def test_train_resume_and_test(tiny_cls_config, repo_root, tmp_path):
    cfg = tiny_cls_config(epochs=1)
    work = str(tmp_path / 'work')
    p = _run([sys.executable, 'tools/train.py', cfg, '--work-dir', work],
             repo_root)
    assert p.returncode == 0, p.stderr[-3000:]
    assert osp.isfile(osp.join(work, 'epoch_1.pth'))
    rows = _scalars(work)
    val = [r for r in rows if 'cam/mIoU' in r]
    assert val and 0 <= val[-1]['cam/mIoU'] <= 100
    assert 'mIoU' in val[-1] and 'cls/mAP' in val[-1]
    losses = [r['loss'] for r in rows if 'loss' in r]
    assert losses and all(x == x for x in losses)  # finite, logged

    # resume: continue to epoch 2 from the epoch-1 checkpoint
    p = _run([
        sys.executable, 'tools/train.py', cfg, '--work-dir', work,
        '--resume', '--cfg-options', 'train_cfg.max_epochs=2'
    ], repo_root)
    assert p.returncode == 0, p.stderr[-3000:]
    log = p.stdout + p.stderr
    assert 'resumed epoch: 1' in log
    assert osp.isfile(osp.join(work, 'epoch_2.pth'))

    # test a checkpoint, writing the predicted label maps
    out = osp.join(work, 'preds')
    p = _run([
        sys.executable, 'tools/test.py', cfg,
        osp.join(work, 'epoch_2.pth'), '--work-dir', work, '--out', out
    ], repo_root)
    assert p.returncode == 0, p.stderr[-3000:]
    assert 'cam/mIoU' in p.stdout + p.stderr
    assert len(glob.glob(osp.join(out, '*.png'))) == 24  # the train split

    # missing checkpoint: the message names it
    p = _run([
        sys.executable, 'tools/test.py', cfg,
        osp.join(work, 'nope.pth')
    ], repo_root)
    assert p.returncode != 0 and 'nope.pth' in p.stderr


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def toy_options(data_root):
    """--cfg-options turning configs/drs/voc_cls.py into a CPU toy run (the
    README's documented CPU command)."""
    return [
        f'train_dataloader.dataset.datasets.0.data_root={data_root}',
        f'train_dataloader.dataset.datasets.1.data_root={data_root}',
        f'val_dataloader.dataset.data_root={data_root}',
        'model.backbone.backbone.init_cfg=None',
        'model.backbone.backbone.width=0.125', 'model.cam_head.in_channels=64',
        'model.cam_head.channels=32', 'train_cfg.max_epochs=1',
        'train_dataloader.batch_size=4', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'val_dataloader.batch_size=4', 'val_dataloader.num_workers=0',
        'val_dataloader.persistent_workers=False'
    ]


def test_dist_train_voc_config_two_processes_gloo(toy_voc, repo_root,
                                                  tmp_path):
    work = str(tmp_path / 'dist')
    p = _run([
        'bash', 'tools/dist_train.sh', 'configs/drs/voc_cls.py', '2',
        '--work-dir', work, '--cfg-options', *toy_options(toy_voc)
    ],
             repo_root,
             env=dict(PYTHON=sys.executable, PORT=str(_free_port()),
                      OMP_NUM_THREADS='1'))
    log = p.stdout + p.stderr
    assert p.returncode == 0, log[-4000:]
    assert osp.isfile(osp.join(work, 'epoch_1.pth'))
    assert "dist_cfg: {'backend': 'gloo'}" in log
    assert 'Distributed training: True' in log
    assert "model_wrapper_cfg = dict(type='MMCPUDistributedDataParallel')" \
        in log
    # 48 train images / (2 ranks x 4) = 6 iterations per epoch per rank
    assert 'Epoch(train) [1][6/6]' in log
    rows = _scalars(work)
    assert any('cam/mIoU' in r for r in rows)


@pytest.mark.parametrize('what,cfg_options,match', [
    ('data root', ['train_dataloader.dataset.datasets.0.data_root=/no/such'],
     '/no/such'),
    ('split file', [
        'train_dataloader.dataset.datasets.0.ann_file='
        'ImageSets/Segmentation/missing.txt'
    ], 'missing.txt'),
])
def test_missing_data_is_named(tiny_cls_config, repo_root, tmp_path, what,
                               cfg_options, match):
    cfg = tiny_cls_config(epochs=1)
    p = _run([
        sys.executable, 'tools/train.py', cfg, '--work-dir',
        str(tmp_path / 'w'), '--cfg-options', *cfg_options
    ], repo_root)
    assert p.returncode != 0
    assert match in p.stderr and 'not' in p.stderr, p.stderr[-2000:]
