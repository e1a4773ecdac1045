"""Pipeline tools run in the caller's working directory, with absolute
paths for their scripts and configs (the checkout's, or an installed copy's
``mmdrs/.mim``), so a relative work dir or data root means the same to the
pipeline and to its tools."""
import os
import os.path as osp
import sys

import pytest
from mmengine.config import Config

from mmdrs.pipeline import Pipeline, tool_runs
from mmdrs.pipeline.markers import write_done_marker
from mmdrs.pipeline.runner import REPO
from mmdrs.pipeline.stages import maps, report
from mmdrs.pipeline.tool_runs import repo_path, run_tool, train_stage


class _Ran(Exception):
    """Stops a stage at its tool run."""


def _record(monkeypatch, module, calls):
    def fake(name, cmd, log_path):
        calls.append(list(cmd))
        raise _Ran(name)

    monkeypatch.setattr(module, 'run_tool', fake)


def test_tool_runs_in_the_callers_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run_tool('cwd', [sys.executable, '-c',
                     'import os; print(os.getcwd())'], 'cwd.log')
    with open(tmp_path / 'cwd.log') as f:
        assert f.read().strip() == str(tmp_path)


def test_train_stage_names_script_and_config_absolutely(tmp_path,
                                                        monkeypatch):
    mim = str(tmp_path / 'site-packages' / 'mmdrs' / '.mim')
    monkeypatch.setattr(tool_runs, 'REPO', mim)  # an installed copy
    monkeypatch.chdir(tmp_path)
    calls = []
    _record(monkeypatch, tool_runs, calls)
    cfg = 'configs/drs/toy/toy_cls.py'
    with pytest.raises(_Ran):
        train_stage('drs', cfg, 'runs/drs', ['randomness.seed=1'])
    with pytest.raises(_Ran):
        train_stage('drs', cfg, 'runs/drs', gpus=2)
    assert calls == [
        [sys.executable, f'{mim}/tools/train.py', f'{mim}/{cfg}',
         '--work-dir', 'runs/drs', '--cfg-options', 'randomness.seed=1'],
        ['bash', f'{mim}/tools/dist_train.sh', f'{mim}/{cfg}', '2',
         '--work-dir', 'runs/drs'],
    ]
    # the work dir is the caller's, where the tool will write it
    assert osp.isdir(tmp_path / 'runs' / 'drs')
    assert repo_path('/abs/my_cfg.py') == '/abs/my_cfg.py'


def test_map_and_report_tools_by_absolute_paths(tmp_path, monkeypatch,
                                                toy_voc):
    cfg = 'configs/drs/toy/toy_cls.py'
    profile = Config(dict(stages=[
        dict(type='TrainClassifier', name='drs', config=cfg),
        dict(type='Maps', name='maps-drs', model='drs', split='train'),
        dict(type='Report', grid=['maps-drs'])]))
    monkeypatch.chdir(tmp_path)
    pipe = Pipeline(profile, work_dir='work', data_root=toy_voc)
    write_done_marker('work/drs', dict(checkpoint='work/drs/epoch_1.pth'))
    calls = []
    _record(monkeypatch, maps, calls)
    with pytest.raises(_Ran):
        pipe.stage('maps-drs').run(pipe)
    cmd = calls.pop()
    assert cmd[1:5] == [osp.join(REPO, 'tools', 'generate_maps.py'),
                        osp.join(REPO, cfg), 'work/drs/epoch_1.pth',
                        '--out-dir']
    assert cmd[5] == osp.join('work', 'maps', 'drs')
    write_done_marker('work/maps/drs', dict(maps='work/maps/drs'))
    _record(monkeypatch, report, calls)
    with pytest.raises(_Ran):
        pipe.stage('report').run(pipe)
    assert calls.pop()[1:3] == [
        osp.join(REPO, 'tools', 'analysis', 'visualize_maps.py'),
        'work/maps/drs']
    assert os.getcwd() == str(tmp_path)
