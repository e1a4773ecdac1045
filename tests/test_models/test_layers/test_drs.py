import math

import pytest
import torch

from mmdrs.models import DRS, drs_reference
from mmdrs.models.layers.drs_function import drs_function


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


# ---- fused / memory-lean / in-place DRS function -----------------------
def _autograd_drs(x, delta, weight, cap):
    """The definition through autograd (paper's formulation)."""
    a = torch.nn.functional.relu(x) if cap is None else \
        torch.nn.functional.relu6(x)
    if weight is not None:
        delta = torch.sigmoid(a.mean((2, 3)) @ weight.t())[..., None, None]
    return torch.minimum(a, delta * a.amax((2, 3), keepdim=True))


def _autograd_drs_first_max(x, delta, weight, cap):
    """The definition through autograd, the max's gradient going to the
    first maximal pixel (``Tensor.max(dim)``, DRS's rule; ``amax`` would
    share it among ties)."""
    a = torch.nn.functional.relu(x) if cap is None else \
        torch.nn.functional.relu6(x)
    if weight is not None:
        delta = torch.sigmoid(a.mean((2, 3)) @ weight.t())[..., None, None]
    a_max = a.flatten(2).max(-1).values[..., None, None]
    return torch.minimum(a, delta * a_max)


def _tie_input(shape, cap, seed=3):
    """Random activations with a dead channel, a peak above the ReLU6 cap,
    a constant channel and a tie for the max."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(*shape, generator=g) * (4. if cap else 1.)
    x[0, 1] = -1.  # a dead channel: threshold 0
    x[1, 2].view(-1)[0] = 9.  # a peak above the ReLU6 cap
    x[2, 3] = 0.5  # all equal: the argmax is the first pixel
    x[2, 4].view(-1)[[3, -2]] = 7.5  # a tie: the first one
    return x


def _drs_input(cap, hw=(9, 9)):
    # 81 pixels: one block of drs_function.BLOCK (64) and a tail
    g = torch.Generator().manual_seed(3)
    x = torch.randn(3, 5, *hw, generator=g) * (4. if cap else 1.)
    x[0, 1] = -1.  # a dead channel: threshold 0
    x[1, 2, 0, 0] = 9.  # a peak above the ReLU6 cap
    return x


def _check_against_autograd(learnable, act, inplace, impl, hw=(9, 9),
                            x0=None, reference=_autograd_drs, exact=False):
    """DRS (``impl``) on ``x0`` (default: :func:`_drs_input`) against
    ``reference`` through autograd: output (bit for bit if ``exact``), in
    place or not, input and controller gradients."""
    cap = 6.0 if act == 'relu6' else None
    drs = DRS(delta='learnable' if learnable else 0.55, channels=5, act=act,
              inplace=inplace, impl=impl)
    if learnable:
        with torch.no_grad():
            drs.suppression_controller[0].weight.normal_(
                0, 0.5, generator=torch.Generator().manual_seed(5))
    x0 = _drs_input(cap, hw) if x0 is None else x0
    x = x0.clone().requires_grad_(True)
    x2 = x0.clone().requires_grad_(True)
    inp = x * 1.  # non-leaf, so that it may be overwritten
    out = drs(inp)
    w = drs.suppression_controller[0].weight if learnable else None
    w2 = w.detach().clone().requires_grad_(True) if learnable else None
    ref = reference(x2, 0.55, w2, cap)
    if exact:
        assert torch.equal(out, ref)
    else:
        torch.testing.assert_close(out, ref)
    if inplace and not (learnable and act == 'relu6'):
        assert out.data_ptr() == inp.data_ptr()  # written into the input
    else:
        assert out.data_ptr() != inp.data_ptr()
    g = torch.randn(out.shape, generator=torch.Generator().manual_seed(4))
    out.backward(g)
    ref.backward(g)
    # (a wrong region or a missing controller term is off by >= 1e-2)
    torch.testing.assert_close(x.grad, x2.grad, rtol=1e-5, atol=1e-4)
    if learnable:
        # sums over every pixel of a sample, in another order (the eager
        # path subtracts two such sums): float32 rounding reaches ~3e-5 on
        # weights of magnitude ~1 for 1,500-pixel maps
        torch.testing.assert_close(w.grad, w2.grad, rtol=1e-5, atol=1e-4)


# (H, W): shorter than one block of drs_function.BLOCK (64), a block and a
# tail, two blocks, many blocks and a tail
@pytest.mark.parametrize('hw', [(3, 5), (9, 9), (16, 8), (37, 41)])
@pytest.mark.parametrize('learnable', [False, True])
@pytest.mark.parametrize('act', ['relu', 'relu6'])
@pytest.mark.parametrize('inplace', [False, True])
def test_eager_function_matches_autograd(learnable, act, inplace, hw):
    """The PyTorch code against autograd on ties (the max's gradient goes to
    the first maximal pixel), dead, capped and constant channels; with a
    fixed delta the same float operations, so bit for bit (learnable: the
    GAP's sum is added in another order)."""
    cap = 6.0 if act == 'relu6' else None
    _check_against_autograd(
        learnable, act, inplace, 'eager', x0=_tie_input((4, 5, *hw), cap),
        reference=_autograd_drs_first_max, exact=not learnable)


@pytest.mark.parametrize('learnable,act,inplace', [
    (False, 'relu', True),
    (True, 'relu', False),
    (True, 'relu6', False),
    (False, 'relu6', True),
])
def test_compiled_function_matches_autograd(learnable, act, inplace):
    pytest.importorskip('torch._inductor')
    _check_against_autograd(learnable, act, inplace, 'compiled')


@pytest.mark.parametrize('n', [5, 64, 100, 128, 200])
def test_blocked_max_argmax_matches_tensor_max(n):
    from mmdrs.models.layers.drs_function import _max_argmax
    xf = torch.randint(-3, 4, (3, 7, n),
                       generator=torch.Generator().manual_seed(n)).float()
    xf[0, 0, -1] = 50.  # the max in the tail
    xf[0, 1] = 2.  # all equal: index 0
    xf[1, 2, n // 2] = xf[1, 2, n - 1] = 60.  # tie: the first one
    x_max, idx, act_sum = _max_argmax(xf, True, 6.0)
    want_max, want_idx = xf.max(dim=-1)
    assert torch.equal(x_max, want_max)
    assert torch.equal(idx, want_idx)
    torch.testing.assert_close(act_sum, xf.clamp(0, 6).sum(-1))


@pytest.mark.parametrize('learnable,act,saved_is', [
    (False, 'relu', 'output'),
    (True, 'relu', 'output'),
    (False, 'relu6', 'output'),
    (True, 'relu6', 'input'),
])
def test_saves_one_full_size_tensor(learnable, act, saved_is):
    """Only the output (like ReLU) or, for learnable ReLU6, the input."""
    drs = DRS(delta='learnable' if learnable else 0.55, channels=5, act=act,
              impl='eager')
    x = (torch.randn(2, 5, 8, 8) * 4).requires_grad_(True)
    inp = x * 1.
    saved = []
    with torch.autograd.graph.saved_tensors_hooks(
            lambda t: saved.append(t) or t, lambda t: t):
        out = drs(inp)
    big = [t for t in saved if t.numel() == out.numel()]
    small = [t for t in saved if t.numel() != out.numel()]
    assert len(big) == 1
    want = out if saved_is == 'output' else inp
    assert big[0].data_ptr() == want.data_ptr()
    # per-channel statistics, and the (C, C) controller weight
    assert all(t.numel() <= 25 for t in small)


def test_inplace_releases_the_input_like_relu():
    """In place, DRS keeps no tensor of its input's size besides its output
    (= the input's storage): same saved bytes as nn.ReLU(inplace=True)."""

    def saved_bytes(act):
        seen = {}
        x = torch.randn(2, 5, 8, 8, requires_grad=True)

        def pack(t):
            st = t.untyped_storage()
            seen[st.data_ptr()] = st.nbytes()
            return t

        with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            act(x * 1.).sum().backward()
        return sum(seen.values())

    relu = saved_bytes(torch.nn.ReLU(inplace=True))
    drs = saved_bytes(DRS(delta=0.55, inplace=True, impl='eager'))
    assert relu == 2 * 5 * 8 * 8 * 4
    assert relu <= drs <= relu + 256  # + (B, C) statistics


def test_compile_failure_falls_back_to_eager(monkeypatch):
    from mmdrs.models.layers import drs_function as mod

    def broken(fn, **kwargs):
        def run(*args, **kw):
            raise RuntimeError('no compiler here')
        return run

    monkeypatch.setattr(mod, '_COMPILED', {})
    monkeypatch.setattr(mod, '_COMPILE_FAILED', False)
    monkeypatch.setattr(mod.torch, 'compile', broken)
    x = _drs_input(None)
    with pytest.warns(UserWarning, match='torch.compile failed'):
        out = DRS(delta=0.55, impl='compiled')(x)
    torch.testing.assert_close(out, _autograd_drs(x, 0.55, None, None))
    assert mod._COMPILE_FAILED
    assert not mod.use_compiled('compiled', x)  # no second attempt


def test_auto_impl_and_environment_switch(monkeypatch):
    from mmdrs.models.layers import drs_function as mod
    monkeypatch.setattr(mod, '_COMPILE_FAILED', False)
    small = torch.zeros(1, 2, 4, 4)
    large = torch.zeros(1, 16, 64, 64)
    monkeypatch.delenv('MMDRS_DRS_COMPILE', raising=False)
    assert not mod.use_compiled('auto', large)  # opt-in
    assert mod.use_compiled('compiled', large)  # explicit choice
    monkeypatch.setenv('MMDRS_DRS_COMPILE', '1')
    assert not mod.use_compiled('auto', small)
    assert mod.use_compiled('auto', large)
    assert not mod.use_compiled('eager', large)
    monkeypatch.setenv('MMDRS_DRS_COMPILE', '0')
    assert not mod.use_compiled('auto', large)
    assert mod.use_compiled('compiled', large)  # explicit choice stays


def test_bad_impl_and_shape():
    with pytest.raises(ValueError, match='impl'):
        DRS(delta=0.5, impl='cuda')
    with pytest.raises(ValueError, match=r'\(B, C, H, W\)'):
        DRS(delta=0.5, impl='eager')(torch.zeros(2, 3, 4))


# ---- dtypes (float64 gradcheck; float16/bfloat16 under autocast) ------
def _separated_input(cap, dtype=torch.float64, shape=(2, 3, 4, 5), seed=0):
    """An input (and a controller weight) whose pixels all keep clear of
    DRS's kinks, so that finite differences and rounding to half precision
    see one smooth piece: per plane a unique max, pixels in a dead
    (-1, -0.1), a passed (0.1, 0.25) and a clipped (0.85, 1) band of the
    scale, and delta in (0.35, 0.65) (asserted), which puts the threshold
    between the bands (also for the ReLU6 plane with a peak of 9)."""
    g = torch.Generator().manual_seed(seed)
    b, c, h, w = shape
    scale = 5. if cap else 1.
    band = torch.randint(0, 3, (b, c, h * w), generator=g)
    lo = torch.tensor([-1., .1, .85], dtype=torch.float64)[band]
    hi = torch.tensor([-.1, .25, 1.], dtype=torch.float64)[band]
    u = torch.rand(b, c, h * w, generator=g, dtype=torch.float64)
    x = (lo + (hi - lo) * u) * scale
    x[..., h * w // 3] = 1.05 * scale  # the max
    x[0, 1] = -.5 * scale  # a dead plane: threshold 0
    if cap:
        x[1, 2, 1] = 9.  # above the cap: m = 6
    weight = torch.randn(c, c, generator=g, dtype=torch.float64) * .1 / scale
    a = x.clamp(0, cap)
    delta = torch.sigmoid(a.mean(-1) @ weight.t())
    assert ((delta > .35) & (delta < .65)).all()
    return x.view(shape).to(dtype), weight


def _drs_call(learnable, cap, inplace, impl):
    """``drs_function`` as a function of (x, delta or weight); the input is
    cloned so that in place it writes a non-leaf."""
    if learnable:
        return lambda x, w: drs_function(
            x.clone(), weight=w, cap=cap, inplace=inplace, impl=impl)
    return lambda x, d: drs_function(
        x.clone(), delta=d, cap=cap, inplace=inplace, impl=impl)


@pytest.mark.parametrize('learnable', [False, True])
@pytest.mark.parametrize('act', ['relu', 'relu6'])
@pytest.mark.parametrize('inplace', [False, True])
@pytest.mark.parametrize('impl', ['auto', 'native', 'eager'])
def test_gradcheck_float64(learnable, act, inplace, impl):
    """Input and delta / controller gradients against finite differences
    (learnable float64 used to fail in the backward: float32 GAP)."""
    cap = 6.0 if act == 'relu6' else None
    x, weight = _separated_input(cap)
    p = weight if learnable else torch.tensor(.55, dtype=torch.float64)
    fn = _drs_call(learnable, cap, inplace, impl)
    x.requires_grad_(True)
    p.requires_grad_(True)
    out = fn(x, p)
    assert out.dtype == torch.float64
    torch.testing.assert_close(
        out, _autograd_drs(x, p, p if learnable else None, cap))
    assert torch.autograd.gradcheck(fn, (x, p))


@pytest.mark.parametrize('learnable,act', [(True, 'relu'), (False, 'relu6')])
def test_gradcheck_float64_compiled(learnable, act):
    pytest.importorskip('torch._inductor')
    cap = 6.0 if act == 'relu6' else None
    x, weight = _separated_input(cap)
    p = weight if learnable else torch.tensor(.55, dtype=torch.float64)
    x.requires_grad_(True)
    p.requires_grad_(True)
    assert torch.autograd.gradcheck(
        _drs_call(learnable, cap, False, 'compiled'), (x, p))


def _check_low_precision(dtype, learnable, act, impl, autocast_dtype):
    """DRS on a ``dtype`` input inside CPU autocast against autograd in
    float64 on the same (rounded) values: output and input gradient in
    ``dtype`` to its rounding, the controller's gradient in float32 to
    float32 rounding (the statistics are kept in float32)."""
    cap = 6.0 if act == 'relu6' else None
    x64, w64 = _separated_input(cap, shape=(3, 4, 6, 6))
    x = x64.to(dtype).requires_grad_(True)
    weight = w64.float().requires_grad_(True)
    g = torch.randn(x.shape, generator=torch.Generator().manual_seed(1))
    g = g.to(dtype)
    drs = DRS(delta='learnable' if learnable else .55, channels=4, act=act,
              impl=impl)
    if learnable:
        drs.suppression_controller[0].weight = torch.nn.Parameter(weight)
    with torch.autocast('cpu', dtype=autocast_dtype):
        out = drs(x * 1.)
        out.backward(g)
    x2 = x.detach().double().requires_grad_(True)
    w2 = weight.detach().double().requires_grad_(True)
    d = torch.tensor(.55).to(dtype).double()  # the module's delta tensor
    ref = _autograd_drs(x2, d, w2 if learnable else None, cap)
    ref.backward(g.double())
    eps = torch.finfo(dtype).eps
    assert out.dtype == dtype and x.grad.dtype == dtype
    torch.testing.assert_close(out.double(), ref.detach(), rtol=eps,
                               atol=0)
    torch.testing.assert_close(x.grad.double(), x2.grad, rtol=2 * eps,
                               atol=2 * eps)
    if learnable:
        w = drs.suppression_controller[0].weight
        assert w.grad.dtype == torch.float32
        torch.testing.assert_close(w.grad.double(), w2.grad, rtol=1e-5,
                                   atol=1e-6)


@pytest.mark.parametrize('learnable', [False, True])
@pytest.mark.parametrize('act', ['relu', 'relu6'])
@pytest.mark.parametrize('impl', ['auto', 'eager'])
@pytest.mark.parametrize('dtype', [torch.bfloat16, torch.float16])
def test_half_precision_under_autocast(dtype, learnable, act, impl):
    _check_low_precision(dtype, learnable, act, impl, dtype)


@pytest.mark.parametrize('dtype', [torch.bfloat16, torch.float16])
def test_half_precision_compiled(dtype):
    pytest.importorskip('torch._inductor')
    _check_low_precision(dtype, True, 'relu', 'compiled', dtype)


@pytest.mark.parametrize('learnable', [False, True])
@pytest.mark.parametrize('impl', ['auto', 'eager'])
def test_float32_input_is_not_autocast(learnable, impl):
    """A float32 activation inside autocast (as after an op autocast keeps
    in float32) gives the float32 result bit for bit: the controller's
    matmuls are not run in bfloat16."""
    x, weight = _separated_input(None, torch.float32, shape=(2, 3, 9, 9))
    fn = _drs_call(learnable, None, False, impl)
    p = weight.float() if learnable else torch.tensor(.55)
    want = fn(x, p)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        got = fn(x, p)
    assert got.dtype == torch.float32
    assert torch.equal(got, want)


def test_is_compiling_guard_for_older_torch(monkeypatch):
    """``torch.compiler.is_compiling`` (called on every DRS forward) first
    exists in torch 2.3; older torch gets dynamo's, or False."""
    from mmdrs.utils import compat
    assert compat.is_compiling() is False
    import torch._dynamo

    def dynamo_is_compiling():
        return False

    monkeypatch.delattr(torch.compiler, 'is_compiling')  # torch 2.1/2.2
    monkeypatch.setattr(torch._dynamo, 'is_compiling', dynamo_is_compiling)
    assert compat._is_compiling_fn() is dynamo_is_compiling
    monkeypatch.delattr(torch, 'compile')  # torch 1.x: nothing compiles
    fn = compat._is_compiling_fn()
    assert fn is not dynamo_is_compiling and fn() is False
