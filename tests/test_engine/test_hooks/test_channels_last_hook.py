"""ChannelsLastHook in a real map-generation Runner."""
import glob
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.evaluator import BaseMetric
from mmengine.model import BaseModel
from mmengine.runner import Runner
from mmseg.registry import HOOKS

import mmdrs  # noqa: F401  (registers the hook)
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
        # (train_cpus=None: channels-last on this CPU, whatever it is)
        cfg.custom_hooks = [dict(type='ChannelsLastHook',
                                 train_cpus=None)] if cl else []
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


class _Probe(BaseModel):
    """A conv model that records its weight layout at every step."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, 3)
        self.seen = []

    def forward(self, inputs, data_samples=None, mode='tensor'):
        x = torch.stack(inputs)
        self.seen.append((mode, self.conv.weight.is_contiguous(
            memory_format=torch.channels_last)))
        out = self.conv(x).mean()
        if mode == 'loss':
            return dict(loss=out)
        return [out.detach()]


class _Count(BaseMetric):

    def process(self, data_batch, data_samples):
        self.results.append(len(data_samples))

    def compute_metrics(self, results):
        return dict(n=sum(results))


@pytest.mark.parametrize('capability,train_cl', [('AVX2', False),
                                                 ('AVX512', True)])
def test_training_layout_follows_the_cpu(capability, train_cl, monkeypatch,
                                         tmp_path):
    """Training runs channels-last only on the CPUs ``train_cpus`` names
    (on AVX2 oneDNN's NHWC backward is slower); validation - forward only -
    always does, and a validation inside training hands the model back in
    the training layout."""
    monkeypatch.setattr(torch.backends.cpu, 'get_cpu_capability',
                        lambda: capability)
    data = [dict(inputs=torch.rand(3, 8, 8)) for _ in range(4)]
    loader = dict(dataset=data, batch_size=2,
                  sampler=dict(type='DefaultSampler', shuffle=False))
    model = _Probe()
    runner = Runner(
        model=model, work_dir=str(tmp_path), train_dataloader=loader,
        val_dataloader=loader, val_evaluator=[_Count()],
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        train_cfg=dict(by_epoch=False, max_iters=4, val_interval=2),
        val_cfg=dict(), custom_hooks=[dict(type='ChannelsLastHook')],
        default_hooks=dict(checkpoint=None, logger=None),
        default_scope='mmseg')
    runner.train()
    # 2 train steps, 2 val batches, 2 train steps, 2 val batches
    assert model.seen == ([('loss', train_cl)] * 2 + [('predict', True)] * 2
                          ) * 2
    assert model.conv.weight.is_contiguous(
        memory_format=torch.channels_last) == train_cl


def test_train_cpus_rejects_a_string():
    with pytest.raises(TypeError, match="train_cpus.*'AVX512'"):
        HOOKS.build(dict(type='ChannelsLastHook', train_cpus='AVX512'))
