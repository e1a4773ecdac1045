"""tools/run_pipeline.py end to end: the toy demo and a user's folder."""
import glob
import json
import os.path as osp
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

from mmdrs.datasets import read_split
from mmdrs.pipeline import Pipeline, load_profile

TOY_ROWS = [
    'check', 'no-drs', 'drs', 'drs-learnable', 'maps-no-drs', 'maps-drs',
    'refine', 'refined-maps', 'pseudo-labels[refined-maps]',
    'pseudo-labels[maps-drs]', 'pseudo-labels', 'segmentation'
]


def _run(cmd, repo_root, timeout=900):
    p = subprocess.run(cmd, cwd=repo_root, capture_output=True, text=True,
                       timeout=timeout)
    assert p.returncode == 0, (p.stdout + p.stderr)[-3000:]
    return p


def test_toy_profile_runs_every_stage_then_skips(repo_root, tmp_path):
    work, data = str(tmp_path / 'work'), str(tmp_path / 'data')
    cmd = [sys.executable, 'tools/run_pipeline.py', '--work-dir', work,
           '--data-root', data, '--toy-size', '16', '8', '16', '--epochs',
           '1', '--seg-iters', '4']
    _run(cmd, repo_root)
    res = json.load(open(osp.join(work, 'results.json')))
    assert sorted(res) == sorted(
        ['check', 'no-drs', 'drs', 'drs-learnable', 'maps-no-drs',
         'maps-drs', 'refine', 'refined-maps', 'pseudo-labels',
         'segmentation'])
    for name in ('no-drs', 'drs', 'drs-learnable', 'refine'):
        assert osp.isfile(res[name]['checkpoint'])
        assert 0 <= res[name]['cam/mIoU'] <= 100
    assert len(read_split(data, 'trainaug')) == 32
    for d, n in (('no-drs', 16), ('drs', 32), ('refined', 32)):
        files = glob.glob(osp.join(work, 'maps', d, '*.npz'))
        assert len(files) == n  # no-DRS maps: train only
    for key in ('maps-no-drs', 'maps-drs', 'refined-maps'):
        assert 0 < res[key]['cam/mIoU'] <= 100
        assert 0 < res[key]['cam/sal_mIoU'] <= 100
    pl = res['pseudo-labels']
    # both candidates scored on train; the labels come from the better one
    assert set(pl['select/mIoU']) == {'refined-maps', 'maps-drs'}
    best = max(pl['select/mIoU'].values())
    assert pl['select/mIoU'][pl['maps']] == best
    assert pl['rule'] == 'saliency' and 0 < pl['pseudo/mIoU'] <= 100
    assert len(glob.glob(osp.join(work, 'pseudo-labels', '*.png'))) == 32
    assert 0 <= res['segmentation']['mIoU'] <= 100
    assert osp.isfile(osp.join(work, 'maps_grid.png'))
    table = open(osp.join(work, 'results.md')).read().splitlines()
    assert [row.split('|')[1].strip() for row in table[2:]] == TOY_ROWS
    # everything present: every stage skips itself
    t0 = time.time()
    p = _run(cmd, repo_root, timeout=300)
    assert time.time() - t0 < 30
    assert 'tools/train.py' not in p.stdout
    assert 'generate_maps.py' not in p.stdout
    assert json.load(open(osp.join(work, 'results.json'))) == res


def test_cpu_profile_on_a_users_folder(repo_root, tmp_path, own_voc_folder):
    """No toy marker, no XML, no saliency maps, a 3-class classes.txt: the
    models are sized from it, the tables list its classes, the background
    comes from a threshold and the report says so."""
    work = str(tmp_path / 'work')
    _run([sys.executable, 'tools/run_pipeline.py', '--profile', 'cpu',
          '--data-root', own_voc_folder, '--work-dir', work, '--img-size',
          '64', '--epochs', '1', '--seg-iters', '2'], repo_root)
    res = json.load(open(osp.join(work, 'results.json')))
    assert res['check']['classes'] == ['background', 'widget', 'gadget',
                                       'gizmo']
    assert 'cam/sal_mIoU' not in res['maps-drs']  # no saliency protocol
    assert res['pseudo-labels']['rule'] == 'constant'
    table = open(osp.join(work, 'results.md')).read()
    assert 'no saliency maps: constant background' in table
    log = open(osp.join(work, 'drs', 'stage.log')).read()
    assert 'num_classes=3' in log or "'num_classes': 3" in log
    assert 'gizmo' in log and 'aeroplane' not in log  # 3-class tables
    with np.load(glob.glob(osp.join(work, 'maps', 'drs', '*.npz'))[0]) as f:
        assert list(f['classes']) == ['widget', 'gadget', 'gizmo']
        assert f['maps'].shape[-2:] == (64, 64)
    label = np.array(Image.open(
        glob.glob(osp.join(work, 'pseudo-labels', '*.png'))[0]))
    assert set(np.unique(label)) <= {0, 1, 2, 3, 255}
    seg = open(osp.join(work, 'segmentation', 'stage.log')).read()
    assert 'gizmo' in seg  # mmseg's IoUMetric table with the own classes
    assert 0 <= res['segmentation']['mIoU'] <= 100


def test_a_broken_folder_stops_before_training(tmp_path, own_voc_folder):
    root = str(tmp_path / 'broken')
    shutil.copytree(own_voc_folder, root)
    img = read_split(root, 'train')[0]
    mask = osp.join(root, 'SegmentationClassAug', img + '.png')
    Image.fromarray(np.full((64, 64), 7, np.uint8)).save(mask)
    pipe = Pipeline(load_profile('cpu'), work_dir=str(tmp_path / 'w'),
                    data_root=root)
    with pytest.raises(RuntimeError, match=f'{img}.png has values'):
        pipe.run()
    assert not osp.exists(str(tmp_path / 'w' / 'no-drs'))  # nothing trained


def test_profiles_are_named_and_checked(tmp_path):
    with pytest.raises(FileNotFoundError,
                       match="'cpu', 'cpu_full_sup', 'toy'"):
        load_profile('nope')
    with pytest.raises(ValueError, match='unknown stages'):
        Pipeline(load_profile('cpu'), data_root=str(tmp_path),
                 stages=['refinement'])
    prof = tmp_path / 'mine.py'
    prof.write_text("_base_ = ['{}']\nwork_dir = 'w'\n".format(
        osp.join(osp.dirname(osp.dirname(osp.dirname(
            osp.abspath(__file__)))), 'configs', 'pipelines', 'cpu.py')))
    pipe = Pipeline(load_profile(str(prof)), data_root=str(tmp_path))
    assert pipe.work_dir == 'w' and pipe.stages[0].name == 'check'
    # --set STAGE.ARG=VALUE swaps a stage's config (e.g. OCR in)
    sys.path.insert(0, osp.join(osp.dirname(osp.dirname(osp.dirname(
        osp.abspath(__file__)))), 'tools'))
    from run_pipeline import parse_overrides
    ocr = 'configs/ocr/toy_deeplabv3plus_pseudo_ocr.py'
    pipe = Pipeline(load_profile('cpu'), data_root=str(tmp_path),
                    overrides=parse_overrides([f'segmentation.config={ocr}']))
    assert pipe.stage('segmentation').config == ocr
    with pytest.raises(ValueError, match='STAGE.ARG=VALUE'):
        parse_overrides(['segmentation=x'])
    with pytest.raises(ValueError, match='unknown stage'):
        Pipeline(load_profile('cpu'), data_root=str(tmp_path),
                 overrides={'seg': {'config': ocr}})
    assert [s.name for s in Pipeline(
        load_profile('toy_ocr'), data_root=str(tmp_path)).stages][-2:] == \
        ['segmentation-ocr', 'report']


def test_epochs_move_the_lr_milestones(repo_root):
    from mmengine.config import Config

    from mmdrs.pipeline.binding import epoch_options
    cfg = Config.fromfile(osp.join(repo_root, 'configs/drs/cpu/cpu_cls.py'))
    assert cfg.train_cfg.max_epochs == 8
    assert cfg.param_scheduler[1].milestones == [6]
    assert epoch_options(cfg, 16)[3:] == ['param_scheduler.1.milestones=(12,)']
    assert epoch_options(cfg, 4)[3:] == ['param_scheduler.1.milestones=(3,)']
    # a milestone never falls on or past the last epoch
    assert epoch_options(cfg, 1)[3:] == ['param_scheduler.1.milestones=(1,)']
    paper = Config.fromfile(osp.join(repo_root, 'configs/drs/voc_cls.py'))
    assert epoch_options(paper, 30)[3:] == [
        'param_scheduler.0.milestones=(8,18,)']


def test_cpu_profile_on_real_photos(repo_root, tmp_path, voc_photos):
    """Real VOC photos of different sizes in the README's layout (lists
    train / val / trainaug, SegmentationClassAug only): every stage runs
    and every row of the table has its number; tools/test.py evaluates the
    segmentation checkpoint on the same photos."""
    work = str(tmp_path / 'work')
    _run([sys.executable, 'tools/run_pipeline.py', '--profile', 'cpu',
          '--data-root', voc_photos, '--work-dir', work, '--img-size', '64',
          '--epochs', '1', '--seg-iters', '2'], repo_root)
    res = json.load(open(osp.join(work, 'results.json')))
    assert res['check']['splits'] == dict(train=8, trainaug=8, val=4)
    assert res['pseudo-labels']['rule'] == 'constant'
    table = open(osp.join(work, 'results.md')).read().splitlines()[2:]
    values = {r.split('|')[1].strip(): r.split('|')[3].strip()
              for r in table}
    assert 'None' not in values.values(), table
    seg = res['segmentation']
    # the segmentation stage validated the 4 val photos at their own sizes
    log = open(osp.join(work, 'segmentation', 'stage.log')).read()
    assert 'Iter(val) [4/4]' in log
    out = _run([sys.executable, 'tools/test.py',
                'configs/drs/cpu/cpu_deeplabv3plus_pseudo.py',
                seg['checkpoint'], '--work-dir', str(tmp_path / 'test'),
                '--cfg-options', f'test_dataloader.dataset.data_root='
                f'{voc_photos}'],
               repo_root)
    assert f"mIoU: {seg['mIoU']}" in out.stdout + out.stderr
