"""ChannelsLastHook in a real map-generation Runner."""
import glob
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.runner import Runner

from mmdrs.apis import build_map_config


def _maps(out):
    res = {}
    for f in sorted(glob.glob(osp.join(out, '*.npz'))):
        with np.load(f) as z:
            res[osp.basename(f)] = z['maps'].astype(int)
    return res


def _conv_weights(model):
    return [m.weight for m in model.modules()
            if isinstance(m, torch.nn.Conv2d) and m.weight.dim() == 4]


def test_channels_last_run_gives_the_same_maps(tiny_checkpoint, tmp_path):
    cfg_file, ckpt = tiny_checkpoint
    runs = {}
    for cl in (False, True):
        out = str(tmp_path / f'cl{int(cl)}')
        cfg = build_map_config(cfg_file, ckpt, out, split='train',
                               batch_size=4, channels_last=cl)
        hooks = [h['type'] for h in cfg.custom_hooks]
        assert ('ChannelsLastHook' in hooks) == cl
        runner = Runner.from_cfg(cfg)
        assert runner.test()['maps/written'] == 24
        # (layouts of weights with one input channel or 1x1 kernels are
        # both NCHW and NHWC, so only the others tell)
        weights = [w for w in _conv_weights(runner.model)
                   if w.shape[1] > 1 and min(w.shape[-2:]) > 1]
        assert weights and all(
            w.is_contiguous(memory_format=torch.channels_last) == cl
            for w in weights)
        runs[cl] = _maps(out)
    assert sorted(runs[True]) == sorted(runs[False]) and len(runs[True]) == 24
    for k, m in runs[True].items():  # float rounding at most
        assert np.abs(m - runs[False][k]).max(initial=0) <= 1, k


@pytest.mark.parametrize('config', [
    'configs/drs/cpu/cpu_cls.py',
    'configs/drs/cpu/cpu_deeplabv3plus_full-sup.py'
])
def test_channels_last_training_follows_the_same_path(config, voc_photos,
                                                      repo_root, tmp_path):
    """The photo profile trains channels-last (its configs set the hook):
    three real Runner iterations on real photos from the same start give
    the losses and weights of the NCHW run up to float rounding."""
    from mmengine.config import Config
    cfg0 = Config.fromfile(osp.join(repo_root, config))
    assert [h['type'] for h in cfg0.custom_hooks] == ['ChannelsLastHook']
    losses, weights = {}, {}
    for cl in (False, True):
        cfg = cfg0.copy()
        cfg.custom_hooks = [dict(type='ChannelsLastHook')] if cl else []
        cfg.work_dir = str(tmp_path / f'cl{int(cl)}')
        cfg.train_dataloader.update(batch_size=2, num_workers=0,
                                    persistent_workers=False)
        cfg.train_dataloader.dataset.data_root = voc_photos
        cfg.train_dataloader.pop('sampler', None)
        cfg.train_dataloader.sampler = dict(type='DefaultSampler',
                                            shuffle=False)
        cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=3,
                             val_interval=100)
        cfg.val_dataloader = cfg.val_evaluator = cfg.val_cfg = None
        cfg.test_dataloader = cfg.test_evaluator = cfg.test_cfg = None
        cfg.default_hooks.checkpoint = None
        cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
        cfg.randomness = dict(seed=0)
        runner = Runner.from_cfg(cfg)
        runner.train()
        conv = [w for w in _conv_weights(runner.model)
                if w.shape[1] > 1 and min(w.shape[-2:]) > 1]
        assert conv and all(
            w.is_contiguous(memory_format=torch.channels_last) == cl
            for w in conv)
        losses[cl] = runner.message_hub.log_scalars['train/loss'].data[0]
        weights[cl] = [p.detach().clone()
                       for p in runner.model.parameters()]
    assert len(losses[True]) == 3
    # (a random initialiser filling channels-last weights in memory order
    # would start another network: first losses 2 % apart, weights 0.03)
    np.testing.assert_allclose(losses[True], losses[False], rtol=1e-3)
    for a, b in zip(weights[True], weights[False]):
        torch.testing.assert_close(a, b, rtol=1e-3, atol=1e-3)
