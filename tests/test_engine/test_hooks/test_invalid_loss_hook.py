"""InvalidLossHook: a diverged run stops at its first non-finite loss."""
import os.path as osp

import pytest


def test_nan_loss_stops_the_run_before_a_checkpoint(tiny_cls_config, load_tool,
                                                    tmp_path):
    """tools/train.py registers the hook for every run: a loss that is NaN
    from the first step ends the run there, naming the config and the
    iteration, and no checkpoint of NaN weights is written."""
    cfg = tiny_cls_config(extra="model = dict(cam_head=dict(channels=32, "
                          "loss_weight=float('nan')))")
    work = str(tmp_path / 'work')
    with pytest.raises(FloatingPointError) as e:
        load_tool('train').main([cfg, '--work-dir', work])
    msg = str(e.value)
    assert cfg in msg and 'loss is nan at iteration 1 (epoch 1)' in msg
    assert not osp.exists(osp.join(work, 'epoch_1.pth'))
    assert not osp.exists(osp.join(work, 'last_checkpoint'))
