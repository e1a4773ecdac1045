import math

import pytest
import torch

from mmdrs.models import DRS, drs_reference


def _x():
    x = torch.zeros(2, 2, 2, 2)
    x[0, 0] = torch.tensor([[1., -2.], [3., .5]])
    x[0, 1] = torch.tensor([[-1., -1.], [-1., -1.]])
    x[1, 0] = torch.tensor([[4., 2.], [1., -3.]])
    x[1, 1] = torch.tensor([[.2, .4], [.6, .8]])
    return x


def test_fixed_delta_hand_computed():
    out = DRS(delta=0.5)(_x())
    expected = torch.zeros(2, 2, 2, 2)
    expected[0, 0] = torch.tensor([[1., 0.], [1.5, .5]])  # max 3 -> 1.5
    expected[1, 0] = torch.tensor([[2., 2.], [1., 0.]])  # max 4 -> 2
    expected[1, 1] = torch.tensor([[.2, .4], [.4, .4]])  # max .8 -> .4
    torch.testing.assert_close(out, expected)


def test_learnable_delta_hand_computed():
    drs = DRS(delta='learnable', channels=2)
    with torch.no_grad():
        drs.suppression_controller[0].weight.copy_(
            torch.tensor([[1., 0.], [0., -1.]]))
    out = drs(_x())
    sig = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    # sample 0: GAP(relu) = (1.125, 0) -> delta = (sig(1.125), sig(0))
    d00 = sig(1.125)
    # sample 1: GAP(relu) = (1.75, 0.5) -> delta = (sig(1.75), sig(-0.5))
    d10, d11 = sig(1.75), sig(-0.5)
    expected = torch.zeros(2, 2, 2, 2)
    expected[0, 0] = torch.tensor([[1., 0.], [3 * d00, .5]])
    expected[1, 0] = torch.tensor([[min(4., 4 * d10), 2.], [1., 0.]])
    t = .8 * d11
    expected[1, 1] = torch.tensor([[.2, min(.4, t)], [min(.6, t), t]])
    torch.testing.assert_close(out, expected)


def test_learnable_init_gives_delta_near_half():
    drs = DRS(delta='learnable', channels=64)
    w = drs.suppression_controller[0].weight
    assert w.shape == (64, 64)
    assert abs(w.std().item() - 0.01) < 0.002
    assert abs(w.mean().item()) < 0.002


def test_matches_reference_and_gradients():
    torch.manual_seed(0)
    x = torch.randn(3, 5, 7, 6, requires_grad=True)
    x2 = x.detach().clone().requires_grad_(True)
    out = DRS(delta=0.55)(x)
    ref = drs_reference(x2, 0.55)
    torch.testing.assert_close(out, ref)
    g = torch.randn_like(out)
    out.backward(g)
    ref.backward(g)
    torch.testing.assert_close(x.grad, x2.grad)


def test_learnable_gradients_match_autograd_reference():
    torch.manual_seed(1)
    drs = DRS(delta='learnable', channels=6)
    with torch.no_grad():
        drs.suppression_controller[0].weight.normal_(0, 0.5)
    x = torch.randn(3, 6, 5, 4, requires_grad=True)
    x2 = x.detach().clone().requires_grad_(True)
    out = drs(x)
    fc = drs.suppression_controller[0]
    w2 = fc.weight.detach().clone().requires_grad_(True)
    delta = torch.sigmoid(torch.relu(x2).mean((2, 3)) @ w2.t())
    ref = drs_reference(x2, delta[..., None, None])
    torch.testing.assert_close(out, ref)
    g = torch.randn_like(out)
    out.backward(g)
    ref.backward(g)
    torch.testing.assert_close(x.grad, x2.grad)
    torch.testing.assert_close(fc.weight.grad, w2.grad)


def test_relu6_gradients_match_autograd_reference():
    torch.manual_seed(2)
    x = (torch.randn(2, 4, 6, 6) * 4).requires_grad_(True)
    x2 = x.detach().clone().requires_grad_(True)
    out = DRS(delta=0.6, act='relu6')(x)
    r = torch.nn.functional.relu6(x2)
    ref = torch.minimum(r, 0.6 * r.amax((2, 3), keepdim=True))
    torch.testing.assert_close(out, ref)
    g = torch.randn_like(out)
    out.backward(g)
    ref.backward(g)
    torch.testing.assert_close(x.grad, x2.grad)


def test_relu6_variant_caps_at_six():
    x = torch.tensor([[[[10., 1.], [2., -1.]]]])
    out = DRS(delta=0.5, act='relu6')(x)
    # relu6 -> max 6 -> threshold 3
    torch.testing.assert_close(out, torch.tensor([[[[3., 1.], [2., 0.]]]]))


def test_per_call_controllers_and_inactive_calls():
    drs = DRS(delta='learnable', channels=[2, 3], active_calls=[True, False])
    assert isinstance(drs.suppression_controller[0], torch.nn.Linear)
    assert isinstance(drs.suppression_controller[1], torch.nn.Identity)
    drs(torch.randn(1, 2, 4, 4))
    x = torch.randn(1, 3, 4, 4)
    torch.testing.assert_close(drs(x), torch.relu(x))  # call 1: plain ReLU
    drs.reset_calls()
    with pytest.raises(RuntimeError, match='expected 2 channels'):
        drs(torch.randn(1, 3, 4, 4))


@pytest.mark.parametrize('kwargs,match', [
    (dict(delta=1.5), 'delta'),
    (dict(delta='learnable'), 'channels'),
    (dict(delta=0.5, act='gelu'), 'act'),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DRS(**kwargs)
