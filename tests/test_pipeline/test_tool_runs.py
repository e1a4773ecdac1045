"""The resumable stage runner used by tools/run_pipeline.py and studies."""
import os
import os.path as osp
import time

import pytest

from mmdrs.pipeline.markers import (done_marker, read_done_marker,
                                    write_done_marker)
from mmdrs.pipeline.tool_runs import run_stage, train_stage
from mmdrs.pipeline.train_results import best_checkpoint, last_val_metrics


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


def test_stage_runs_skips_and_resumes(tiny_cls_config, tmp_path):
    cfg = tiny_cls_config(epochs=1)
    work = str(tmp_path / 'stage')
    res = train_stage('tiny', cfg, work)
    assert osp.isfile(res['checkpoint'])
    assert 0 <= res['cam/mIoU'] <= 100 and 'cls/mAP' in res
    assert res['train_iter_time'] > 0
    # done: returns the recorded result without training
    t0 = time.time()
    assert train_stage('tiny', cfg, work) == res
    assert time.time() - t0 < 2
    # interrupted after its checkpoint (no done-marker): resumes
    os.remove(done_marker(work))
    res2 = train_stage('tiny', cfg, work,
                       cfg_options=['train_cfg.max_epochs=2'])
    assert res2['checkpoint'].endswith('epoch_2.pth')
    with open(osp.join(work, 'stage.log')) as f:
        assert 'resumed epoch: 1' in f.read()
    # the paper keeps the best epoch: with the hook's metric, the result is
    # mmengine's best checkpoint and its own validation row
    best = best_checkpoint(work)
    assert best and osp.basename(best).startswith('best_cam_sal_mIoU_epoch')
    rows = [last_val_metrics(work)]
    chosen = last_val_metrics(work, 'cam/sal_mIoU')
    epoch = int(best.split('_epoch_')[1].split('.')[0])
    assert chosen['step'] == epoch
    assert chosen['cam/sal_mIoU'] >= rows[0]['cam/sal_mIoU']


def test_failed_stage_names_its_log(tiny_cls_config, tmp_path):
    cfg = tiny_cls_config(epochs=1)
    with pytest.raises(RuntimeError, match='stage.log'):
        train_stage('bad', cfg, str(tmp_path / 'bad'),
                    cfg_options=['model.cam_head.type=NoSuchHead'])
    assert not osp.exists(done_marker(str(tmp_path / 'bad')))


def test_stage_that_died_in_final_validation_validates_when_resumed(
        tiny_cls_config, tmp_path):
    """Trained to the end, the final validation fails (its images are
    missing): the re-run resumes after the last step, validates the final
    model (FinalValidationHook) and records its numbers, never None."""
    cfg = tiny_cls_config(epochs=1)
    work = str(tmp_path / 'stage')
    empty = tmp_path / 'no_images'
    empty.mkdir()
    with pytest.raises(RuntimeError, match='stage.log'):
        train_stage('tiny', cfg, work, cfg_options=[
            f'val_dataloader.dataset.data_prefix.img_path={empty}'])
    assert osp.isfile(osp.join(work, 'epoch_1.pth'))
    assert last_val_metrics(work) is None
    res = train_stage('tiny', cfg, work)
    with open(osp.join(work, 'stage.log')) as f:
        log = f.read()
    assert 'resumed epoch: 1' in log
    assert 'validating the final model' in log
    assert res['cam/mIoU'] == last_val_metrics(work)['cam/mIoU']
    assert res['cam/mIoU'] > 0 and res['step'] == 1
