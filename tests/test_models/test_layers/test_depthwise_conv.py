"""The depthwise convolution's CPU kernels (mmdrs/models/layers/
depthwise_conv.py, csrc/depthwise_cpu.c) against PyTorch's convolution."""
import pytest
import torch
import torch.nn.functional as F

from mmdrs.models.layers.depthwise_conv import (LIBRARY, depthwise_conv2d,
                                                native_applies)

pytestmark = pytest.mark.skipif(not LIBRARY.available(),
                                reason='no C compiler: kernels not built')


def _both(x, w, stride, dilation, padding=None):
    """Output and gradients of the kernels and of F.pad + F.conv2d on one
    loss."""
    results = []
    for native in (True, False):
        xi = x.detach().clone().requires_grad_()
        wi = w.detach().clone().requires_grad_()
        out = depthwise_conv2d(xi, wi, stride, dilation, padding,
                               native=native)
        g = torch.linspace(-1, 1, out.numel()).view_as(out)
        (out * g).sum().backward()
        results.append((out.detach(), xi.grad, wi.grad))
    return results


# (N, C, H, W, kh, kw, stride, dilation, padding (left, right, top,
# bottom)): the networks' layers (dilated 3x3 / 5x5 at output stride 16 and
# 8 with TensorFlow's "SAME" padding, stride 2 with its one-sided extra
# pixel), tails shorter than a vector, a 1x1 output, non-square inputs,
# kernels and padding, and (last) enough work for the threads to split it
SHAPES = [
    (2, 3, 20, 20, 5, 5, 1, 2, (4, 4, 4, 4)),
    (2, 3, 28, 28, 5, 5, 1, 2, None),
    (2, 4, 24, 24, 3, 3, 1, 2, (2, 2, 2, 2)),
    (1, 5, 20, 20, 5, 5, 1, 4, (8, 8, 8, 8)),
    (2, 3, 17, 17, 3, 3, 2, 1, (1, 1, 1, 1)),
    (2, 3, 20, 21, 5, 5, 2, 1, (1, 2, 1, 2)),
    (2, 3, 20, 21, 5, 5, 2, 1, None),
    (3, 2, 9, 13, 3, 3, 1, 1, (0, 3, 2, 0)),
    (1, 2, 5, 5, 5, 5, 1, 1, None),
    (1, 2, 1, 1, 3, 3, 1, 1, (1, 1, 1, 1)),
    (2, 3, 11, 7, 1, 3, 1, 2, (2, 2, 0, 0)),
    (2, 2, 7, 30, 3, 5, 3, 2, (1, 0, 3, 2)),
    (4, 96, 40, 40, 3, 3, 1, 1, (1, 1, 1, 1)),
]


@pytest.mark.parametrize('shape', SHAPES)
def test_matches_pytorch_convolution(shape):
    n, c, h, w, kh, kw, s, d, pad = shape
    torch.manual_seed(0)
    x = torch.randn(n, c, h, w)
    wt = torch.randn(c, 1, kh, kw)
    assert native_applies(x, wt, s, d, pad)
    (out, gx, gw), (ref, rgx, rgw) = _both(x, wt, s, d, pad)
    assert out.shape == ref.shape and gx.shape == x.shape
    torch.testing.assert_close(out, ref, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(gx, rgx, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(gw, rgw, rtol=1e-4, atol=1e-4)


def test_padding_is_checked():
    x = torch.randn(1, 2, 6, 6)
    w = torch.randn(2, 1, 3, 3)
    for bad in ((1, 1), (1, 1, -1, 1)):
        with pytest.raises(ValueError, match=r'padding must be \(left, '
                           r'right, top, bottom\)'):
            depthwise_conv2d(x, w, padding=bad)


def test_same_result_for_any_thread_count():
    torch.manual_seed(0)
    x = torch.randn(4, 64, 20, 20)
    w = torch.randn(64, 1, 5, 5)
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        one = _both(x, w, 1, 2, (4, 4, 4, 4))[0]
        torch.set_num_threads(max(2, before))
        many = _both(x, w, 1, 2, (4, 4, 4, 4))[0]
    finally:
        torch.set_num_threads(before)
    for a, b in zip(one, many):
        assert torch.equal(a, b)  # bit for bit


def test_only_the_gradients_asked_for():
    """A frozen input (the first trainable block of a partly frozen
    backbone) or a frozen weight: the other gradient alone, as PyTorch's."""
    torch.manual_seed(0)
    x = torch.randn(2, 3, 12, 12)
    w = torch.randn(3, 1, 3, 3)
    for x_grad, w_grad in ((False, True), (True, False)):
        grads = []
        for native in (True, False):
            xi = x.clone().requires_grad_(x_grad)
            wi = w.clone().requires_grad_(w_grad)
            depthwise_conv2d(xi, wi, 1, 2, (2, 2, 2, 2),
                             native=native).square().sum().backward()
            grads.append((xi.grad, wi.grad))
        (gx, gw), (rgx, rgw) = grads
        assert (gx is None, gw is None) == (not x_grad, not w_grad)
        torch.testing.assert_close(gx if x_grad else gw,
                                   rgx if x_grad else rgw)


def test_pytorch_convolution_where_the_kernels_do_not_apply():
    x = torch.randn(2, 3, 10, 10)
    w = torch.randn(3, 1, 3, 3)
    assert native_applies(x, w, 1, 1)
    nhwc = x.to(memory_format=torch.channels_last)
    assert not native_applies(nhwc, w, 1, 1)  # ChannelsLastHook's layout
    assert not native_applies(x.double(), w.double(), 1, 1)
    assert not native_applies(x, w, -1, 1)  # a stride per axis
    assert not native_applies(x[:, :, :2], w, 1, 2)  # empty output
    assert native_applies(x[:, :, :2].contiguous(), w, 1, 2,
                          (0, 0, 2, 1))  # padded
    assert not native_applies(x, torch.randn(3, 2, 3, 3), 1, 1)  # not dw
    with torch.autocast('cpu', dtype=torch.bfloat16):
        assert not native_applies(x, w, 1, 1)
    # the fallbacks compute the convolution all the same
    for xi, stride in ((nhwc, 1), (x, (1, 2))):
        torch.testing.assert_close(
            depthwise_conv2d(xi, w, stride),
            F.conv2d(xi, w, None, stride, 0, 1, 3))
    with pytest.raises(RuntimeError):  # PyTorch's own error, not a crash
        depthwise_conv2d(x[:, :, :2], w, 1, 2)


def test_switched_off_by_its_variable(monkeypatch):
    x = torch.randn(1, 2, 6, 6)
    w = torch.randn(2, 1, 3, 3)
    LIBRARY.reset()
    monkeypatch.setenv('MMDRS_DEPTHWISE_NATIVE', '0')
    try:
        assert not native_applies(x, w, 1, 1)
    finally:
        LIBRARY.reset()
    monkeypatch.delenv('MMDRS_DEPTHWISE_NATIVE')
    assert native_applies(x, w, 1, 1)
