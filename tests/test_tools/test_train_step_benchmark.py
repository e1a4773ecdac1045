"""tools/benchmarks/train_step.py's ``layout`` and ``depthwise`` modes on real
photos."""
import os.path as osp
import sys

import pytest


@pytest.fixture
def train_step(load_tool, repo_root, monkeypatch):
    # the benchmark imports its parts as the package beside it
    monkeypatch.syspath_prepend(osp.join(repo_root, 'tools', 'benchmarks'))
    yield load_tool('benchmarks/train_step')
    for name in [m for m in sys.modules if m.startswith('step_bench')]:
        del sys.modules[name]


def test_layout_mode_times_both_formats(train_step, voc_photos, capsys):
    """The profile's DRS classifier on two real photos through its own
    pipeline: both layouts step, the reference's ratio is 1, the other's a
    positive number printed as mean ± std."""
    out = train_step.main([
        'layout', '--config', 'configs/drs/cpu/cpu_cls.py', '--batch', '2',
        '--steps', '1', '--warmup', '0', '--rounds', '2', '--cfg-options',
        f'train_dataloader.dataset.data_root={voc_photos}'
    ])['timing']
    assert list(out) == ['nchw', 'channels-last']
    assert out['nchw']['ratios'] == [1.0, 1.0]
    ratios = out['channels-last']['ratios']
    assert len(ratios) == 2 and all(0 < r < 10 for r in ratios)
    printed = capsys.readouterr().out
    assert 'configs/drs/cpu/cpu_cls.py, batch 2' in printed
    # the CPU is part of the result (the ratios depend on it)
    import torch
    assert (f'capability {torch.backends.cpu.get_cpu_capability()}'
            in printed)
    assert 'channels-last' in printed and '±' in printed


def test_layout_mode_forward_only_runs_no_backward(train_step, voc_photos,
                                                   monkeypatch):
    """``--forward-only`` times the model's forward pass in eval mode
    without gradients: no backward, no optimizer step."""
    import torch
    calls = []
    monkeypatch.setattr(torch.Tensor, 'backward',
                        lambda *a, **k: calls.append('backward'))
    monkeypatch.setattr(torch.optim.SGD, 'step',
                        lambda *a, **k: calls.append('step'))
    out = train_step.main([
        'layout', '--config', 'configs/drs/cpu/cpu_cls.py', '--batch', '2',
        '--steps', '1', '--warmup', '0', '--rounds', '1', '--forward-only',
        '--cfg-options', f'train_dataloader.dataset.data_root={voc_photos}'
    ])['timing']
    assert calls == []
    assert out['nchw']['ratios'] == [1.0]
    assert 0 < out['channels-last']['ratios'][0] < 10
    assert all(t > 0 for v in out.values() for t in v['seconds'])


def test_layout_mode_refuses_a_size(train_step):
    with pytest.raises(SystemExit):
        train_step.main(['layout', '--size', '64'])


def test_depthwise_mode_switches_only_the_depthwise_convs(
        train_step, voc_photos, monkeypatch):
    """The ``depthwise`` mode builds the config's model in NCHW with its
    depthwise convs on PyTorch's convolution (the reference) and on the C
    kernels; the kernels run in the ``native`` variant only."""
    from mmdrs.models.layers import depthwise_conv
    if not depthwise_conv.LIBRARY.available():
        pytest.skip('no C compiler: kernels not built')
    calls = []
    apply = depthwise_conv._DepthwiseConv.apply
    monkeypatch.setattr(depthwise_conv._DepthwiseConv, 'apply',
                        lambda *a: calls.append(1) or apply(*a))
    args = train_step.parse_args([
        'depthwise', '--config', 'configs/drs/cpu/cpu_cls.py', '--batch',
        '2', '--cfg-options',
        f'train_dataloader.dataset.data_root={voc_photos}'
    ])
    args.device = 'cpu'
    assert args.variants == ['pytorch', 'native']
    from step_bench.depthwise import build_depthwise
    for variant, runs in (('pytorch', False), ('native', True)):
        model, loss = build_depthwise(args, variant)
        del calls[:]
        loss(model.train()).backward()
        assert bool(calls) == runs, variant
    # 16 depthwise convs in Lite0, every one on the kernels
    assert len(calls) == 16
    out = train_step.main([
        'depthwise', '--config', 'configs/drs/cpu/cpu_cls.py', '--batch',
        '2', '--steps', '1', '--warmup', '0', '--rounds', '1',
        '--cfg-options', f'train_dataloader.dataset.data_root={voc_photos}'
    ])['timing']
    assert out['pytorch']['ratios'] == [1.0]
    assert 0 < out['native']['ratios'][0] < 10


def test_depthwise_mode_refuses_a_model_without_depthwise_convs(
        train_step, monkeypatch):
    """A model without EfficientNet-Lite's depthwise convs (here a VGG-like
    stack) cannot be compared: a clear error naming the config."""
    import torch.nn as nn
    from step_bench import depthwise
    monkeypatch.setattr(depthwise, 'build_layout',
                        lambda args, variant: (nn.Conv2d(3, 8, 3), None))
    args = train_step.parse_args(['depthwise', '--config', 'some/vgg.py'])
    with pytest.raises(ValueError, match='some/vgg.py: the model has no '
                       'depthwise SameConv2d'):
        depthwise.build_depthwise(args, 'native')
