"""ChannelsLastHook in a real map-generation Runner."""
import glob
import os.path as osp

import numpy as np
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
