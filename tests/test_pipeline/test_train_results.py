"""mmdrs.pipeline.train_results: a finished run's validation row and best
checkpoint, read from what mmengine wrote."""
import json
import os
import os.path as osp

import pytest

from mmdrs.pipeline.train_results import (best_checkpoint, checkpoint_step,
                                          last_val_metrics)


def _write_scalars(work_dir, stamp, rows):
    d = osp.join(work_dir, stamp, 'vis_data')
    os.makedirs(d)
    with open(osp.join(d, 'scalars.json'), 'w') as f:
        f.write(''.join(json.dumps(r) + '\n' for r in rows))


def test_validation_rows_of_a_resumed_run(tmp_path):
    work = str(tmp_path)
    assert last_val_metrics(work) is None
    # the first run: 3 training rows, epoch 1 validated; the resumed run
    # (a later timestamp folder): epochs 2 and 3
    _write_scalars(work, '20260101_000000', [
        dict(loss=2.0, time=0.5, step=1), dict(loss=1.5, time=0.1, step=2),
        dict(loss=1.0, time=0.3, step=3),
        {'cam/mIoU': 40.0, 'cam/sal_mIoU': 50.0, 'step': 1}])
    assert last_val_metrics(work)['step'] == 1
    _write_scalars(work, '20260101_000100', [
        dict(loss=0.9, time=0.9, step=4),
        {'cam/mIoU': 45.0, 'cam/sal_mIoU': 55.0, 'step': 2},
        {'cam/mIoU': 47.0, 'cam/sal_mIoU': 55.0, 'step': 3}])
    last = last_val_metrics(work)
    # the last row of the newest run, with the median iteration time
    assert last == {'cam/mIoU': 47.0, 'cam/sal_mIoU': 55.0, 'step': 3,
                    'train_iter_time': 0.5}
    # the row of one step (a checkpoint's); none for a step never validated
    assert last_val_metrics(work, step=2) == {
        'cam/mIoU': 45.0, 'cam/sal_mIoU': 55.0, 'step': 2,
        'train_iter_time': 0.5}
    assert last_val_metrics(work, step=4) is None


def test_segmentation_rows_count_as_validation(tmp_path):
    _write_scalars(str(tmp_path), 'a', [
        dict(loss=1.0, time=0.2, step=4), dict(mIoU=12.5, aAcc=80.0, step=4)])
    assert last_val_metrics(str(tmp_path)) == dict(
        mIoU=12.5, aAcc=80.0, step=4, train_iter_time=0.2)


def test_best_checkpoint_is_the_newest_best_file(tmp_path):
    assert best_checkpoint(str(tmp_path)) is None
    (tmp_path / 'epoch_3.pth').write_text('')
    assert best_checkpoint(str(tmp_path)) is None
    old = tmp_path / 'best_cam_sal_mIoU_epoch_1.pth'
    new = tmp_path / 'best_cam_sal_mIoU_epoch_2.pth'
    old.write_text('')
    new.write_text('')
    os.utime(old, (1, 1))
    assert best_checkpoint(str(tmp_path)) == str(new)
    # by the save_best key ('/' written as '_'): another key's file is not it
    other = tmp_path / 'best_cam_mIoU_epoch_3.pth'
    other.write_text('')
    assert best_checkpoint(str(tmp_path)) == str(other)
    assert best_checkpoint(str(tmp_path), 'cam/sal_mIoU') == str(new)
    assert best_checkpoint(str(tmp_path), 'cam/mIoU') == str(other)
    assert best_checkpoint(str(tmp_path), 'mIoU') is None


def test_checkpoint_step_reads_the_name():
    assert checkpoint_step('/w/epoch_3.pth') == 3
    assert checkpoint_step('iter_500.pth') == 500
    assert checkpoint_step('/w/best_cam_sal_mIoU_epoch_12.pth') == 12
    assert checkpoint_step('best_mIoU_iter_1500.pth') == 1500
    with pytest.raises(ValueError, match='model.pth: expected'):
        checkpoint_step('/w/model.pth')
