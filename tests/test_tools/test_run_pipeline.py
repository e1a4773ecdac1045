"""tools/run_pipeline.py end to end on a very small toy set."""
import glob
import json
import os.path as osp
import subprocess
import sys
import time

from mmdrs.datasets import read_split

STAGE_ROWS = [
    'no-drs', 'drs', 'drs-learnable', 'maps-no-drs', 'maps-drs', 'refine',
    'refined-maps', 'pseudo-labels', 'segmentation'
]


def test_pipeline_runs_every_stage_then_skips(repo_root, tmp_path):
    work, data = str(tmp_path / 'work'), str(tmp_path / 'data')
    cmd = [sys.executable, 'tools/run_pipeline.py', '--work-dir', work,
           '--data-root', data, '--toy-size', '16', '8', '16', '--epochs',
           '1', '--seg-iters', '4']
    p = subprocess.run(cmd, cwd=repo_root, capture_output=True, text=True,
                       timeout=900)
    assert p.returncode == 0, (p.stdout + p.stderr)[-3000:]
    res = json.load(open(osp.join(work, 'results.json')))
    assert sorted(res) == sorted(STAGE_ROWS)
    for name in ('no-drs', 'drs', 'drs-learnable', 'refine'):
        assert osp.isfile(res[name]['checkpoint'])
        assert 0 <= res[name]['cam/mIoU'] <= 100
    ids = read_split(data, 'trainaug')
    assert len(ids) == 32
    for d, n in (('no-drs', 16), ('drs', 32), ('refined', 32)):
        files = glob.glob(osp.join(work, 'maps', d, '*.npz'))
        assert len(files) == n  # no-DRS maps: train only
        r = res['refined-maps' if d == 'refined' else f'maps-{d}']
        assert 0 < r['cam/mIoU'] <= 100 and 0 < r['cam/sal_mIoU'] <= 100
    pngs = glob.glob(osp.join(work, 'pseudo_labels', '*.png'))
    assert len(pngs) == 32
    assert 0 < res['pseudo-labels']['pseudo/mIoU'] <= 100
    assert 0 <= res['segmentation']['mIoU'] <= 100
    assert osp.isfile(osp.join(work, 'maps_grid.png'))
    table = open(osp.join(work, 'results.md')).read().splitlines()
    assert [row.split('|')[1].strip() for row in table[2:]] == STAGE_ROWS
    # everything present: every stage skips itself
    t0 = time.time()
    p = subprocess.run(cmd, cwd=repo_root, capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, (p.stdout + p.stderr)[-3000:]
    assert time.time() - t0 < 30
    assert 'tools/train.py' not in p.stdout
    assert 'generate_maps.py' not in p.stdout
    assert json.load(open(osp.join(work, 'results.json'))) == res
