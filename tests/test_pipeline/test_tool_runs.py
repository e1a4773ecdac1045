"""mmdrs.pipeline.tool_runs: resumable stages, training stages as
tools/train.py runs (in this process, ``tools_in_process``, except the
failing one: a real process, its exit status and log)."""
import glob
import json
import math
import os
import os.path as osp

import pytest

from mmdrs.pipeline import tool_runs
from mmdrs.pipeline.markers import (done_marker, read_done_marker,
                                    write_done_marker)
from mmdrs.pipeline.tool_runs import run_stage, train_stage
from mmdrs.pipeline.train_results import last_val_metrics


def _scalars(work_dir):
    """Every row of a run's scalars.json files (resumed runs: one per
    timestamp folder), oldest first."""
    rows = []
    for f in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                       'scalars.json'))):
        with open(f) as fh:
            rows += [json.loads(line) for line in fh if line.strip()]
    return rows


def _no_tool_runs(monkeypatch):
    """A finished stage must not start a tool."""

    def refuse(name, cmd, log_path):
        raise AssertionError(f'{name} ran {cmd}')

    monkeypatch.setattr(tool_runs, 'run_tool', refuse)


def test_marker_makes_a_finished_stage_skip(tmp_path):
    out = str(tmp_path / 'maps')
    calls = []

    def fn():
        calls.append(1)
        return {'cam/mIoU': 41.5}

    assert read_done_marker(out) is None
    res = run_stage('maps', out, fn)
    assert res['stage'] == 'maps' and res['cam/mIoU'] == 41.5
    assert read_done_marker(out) == res
    assert osp.dirname(done_marker(out)) == out
    assert run_stage('maps', out, fn) == res and calls == [1]
    run_stage('maps', out, fn, force=True)
    assert calls == [1, 1]
    write_done_marker(out, dict(stage='maps', recorded=True))
    assert run_stage('maps', out, fn) == dict(stage='maps', recorded=True)
    assert calls == [1, 1]


def test_stage_that_died_in_final_validation_validates_when_resumed(
        tiny_cls_config, tmp_path, monkeypatch, tools_in_process):
    """Trained to the end, the final validation fails (its images are
    missing): the re-run resumes after the last step, validates the final
    model (FinalValidationHook) and records its numbers, never None;
    finished, the stage returns its record without a tool run."""
    cfg = tiny_cls_config(epochs=1)
    work = str(tmp_path / 'stage')
    empty = tmp_path / 'no_images'
    empty.mkdir()
    with tools_in_process(), pytest.raises(RuntimeError, match='stage.log'):
        train_stage('tiny', cfg, work, cfg_options=[
            f'val_dataloader.dataset.data_prefix.img_path={empty}'])
    assert osp.isfile(osp.join(work, 'epoch_1.pth'))
    assert last_val_metrics(work) is None
    assert read_done_marker(work) is None
    # 24 + 24 images / batch 4 = 12 iterations, logged every 2nd
    losses = [r['loss'] for r in _scalars(work) if 'loss' in r]
    assert len(losses) == 6 and all(math.isfinite(v) for v in losses)

    with tools_in_process():
        res = train_stage('tiny', cfg, work)
    with open(osp.join(work, 'stage.log')) as f:
        log = f.read()
    assert 'resumed epoch: 1' in log
    assert 'validating the final model' in log
    (val, ) = [r for r in _scalars(work) if 'cam/mIoU' in r]
    assert val['step'] == 1 and 'mIoU' in val and 'cls/mAP' in val
    assert {k: res[k] for k in val} == val  # the row as recorded
    assert res['checkpoint'] == res['last_checkpoint'] == osp.join(
        work, 'epoch_1.pth')
    # the median of the logged iteration times
    times = sorted(r['time'] for r in _scalars(work) if 'loss' in r)
    assert res['train_iter_time'] == times[len(times) // 2]

    _no_tool_runs(monkeypatch)
    assert train_stage('tiny', cfg, work) == res


def test_interrupted_stage_resumes_and_keeps_the_best_epoch(
        tiny_cls_config, tmp_path, tools_in_process):
    """Interrupted after a checkpoint (no done marker), a stage resumes;
    with ``select`` its result is mmengine's best checkpoint and that
    checkpoint's own validation row, as the paper keeps the best epoch."""
    cfg = tiny_cls_config(epochs=1)
    work = str(tmp_path / 'stage')
    with tools_in_process():
        res = train_stage('tiny', cfg, work, select='cam/sal_mIoU')
        assert res['last_checkpoint'] == osp.join(work, 'epoch_1.pth')
        os.remove(done_marker(work))
        res2 = train_stage('tiny', cfg, work, select='cam/sal_mIoU',
                           cfg_options=['train_cfg.max_epochs=2'])
    with open(osp.join(work, 'stage.log')) as f:
        assert 'resumed epoch: 1' in f.read()
    assert res2['last_checkpoint'] == osp.join(work, 'epoch_2.pth')
    rows = [r for r in _scalars(work) if 'cam/sal_mIoU' in r]
    assert [r['step'] for r in rows] == [1, 2]
    best = max(rows, key=lambda r: r['cam/sal_mIoU'])  # the first on a tie
    assert res2['checkpoint'] == osp.join(
        work, f"best_cam_sal_mIoU_epoch_{best['step']}.pth")
    assert {k: res2[k] for k in best} == best
    assert read_done_marker(work) == res2


def test_best_checkpoint_records_its_own_row(tmp_path, monkeypatch):
    """The highest validation row need not have a best file: a run killed
    between logging a new best (epoch 2) and saving it, resumed from
    epoch_1.pth, keeps best_*_epoch_3.pth. The stage records that file
    with epoch 3's row, not the highest row's number."""
    work = str(tmp_path / 'stage')
    key = 'cam/sal_mIoU'

    def killed_then_resumed(name, cmd, log_path):
        for stamp, rows in (('20260101_000000', [(1, 40.0), (2, 47.0)]),
                            ('20260101_000100', [(2, 44.0), (3, 45.0)])):
            d = osp.join(work, stamp, 'vis_data')
            os.makedirs(d)
            with open(osp.join(d, 'scalars.json'), 'w') as f:
                f.write(''.join(json.dumps({key: v, 'cam/mIoU': v - 5,
                                            'step': e}) + '\n'
                                for e, v in rows))
        for f in ('epoch_3.pth', 'best_cam_sal_mIoU_epoch_3.pth'):
            open(osp.join(work, f), 'w').close()
        with open(osp.join(work, 'last_checkpoint'), 'w') as f:
            f.write(osp.join(work, 'epoch_3.pth'))

    monkeypatch.setattr(tool_runs, 'run_tool', killed_then_resumed)
    res = train_stage('tiny', 'cfg.py', work, select=key)
    assert res['checkpoint'] == osp.join(work,
                                         'best_cam_sal_mIoU_epoch_3.pth')
    assert (res['step'], res[key], res['cam/mIoU']) == (3, 45.0, 40.0)
    # a best file whose step was never validated is an error, not a guess
    os.remove(done_marker(work))
    os.rename(osp.join(work, 'best_cam_sal_mIoU_epoch_3.pth'),
              osp.join(work, 'best_cam_sal_mIoU_epoch_4.pth'))
    monkeypatch.setattr(tool_runs, 'run_tool', lambda *a: None)
    with pytest.raises(RuntimeError, match='of step 4'):
        train_stage('tiny', 'cfg.py', work, select=key)


def test_failed_stage_names_its_log(tiny_cls_config, tmp_path):
    cfg = tiny_cls_config(epochs=1)
    with pytest.raises(RuntimeError, match='stage.log'):
        train_stage('bad', cfg, str(tmp_path / 'bad'),
                    cfg_options=['model.cam_head.type=NoSuchHead'])
    assert not osp.exists(done_marker(str(tmp_path / 'bad')))
