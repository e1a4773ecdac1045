"""DRS's hand-written CPU kernels (mmdrs/models/layers/drs_cpu.py)."""
import os

import pytest
import torch

from mmdrs.models import DRS
from mmdrs.models.layers import drs_cpu
from mmdrs.models.layers import drs_function as drs_fn

from test_drs import _autograd_drs, _check_against_autograd


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


pytestmark = pytest.mark.skipif(
    not drs_cpu.available(), reason='no C compiler: kernels not built')


def _input(shape, cap, seed=3):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(*shape, generator=g) * (4. if cap else 1.)
    x[0, 1] = -1.  # a dead channel: threshold 0
    x[1, 2].view(-1)[0] = 9.  # a peak above the ReLU6 cap
    x[2, 3] = 0.5  # all equal: the argmax is the first pixel
    x[2, 4].view(-1)[[3, -2]] = 7.5  # a tie: the first one
    return x


# (H, W): shorter than one unrolled step, tails, and (2nd) more than
# MIN_PARALLEL elements in all, so that OpenMP splits the planes
@pytest.mark.parametrize('hw', [(3, 5), (9, 9), (16, 8), (37, 41)])
@pytest.mark.parametrize('learnable', [False, True])
@pytest.mark.parametrize('act', ['relu', 'relu6'])
@pytest.mark.parametrize('inplace', [False, True])
@pytest.mark.parametrize('impl', ['native', 'eager'])
def test_native_matches_autograd(hw, learnable, act, inplace, impl):
    """The kernels (and, on the same ties, the PyTorch code) against
    autograd."""
    cap = 6.0 if act == 'relu6' else None
    x0 = _input((4, 5, *hw), cap)
    assert drs_fn.resolve_impl(impl, x0) == impl
    # fixed delta: the same float operations, so bit for bit; learnable:
    # the GAP's sum is added in another order
    _check_against_autograd(
        learnable, act, inplace, impl, x0=x0,
        reference=_autograd_drs_first_max, exact=not learnable)


def test_statistics_match_tensor_max_with_ties_inf_and_nan():
    x = torch.randn(2, 6, 50, 50)
    x[0, 0] = float('-inf')  # all -inf: index 0
    x[0, 1].view(-1)[[7, 2000]] = 30.  # tie across unrolled steps
    x[0, 2].view(-1)[2499] = 40.  # the max in the very last pixel
    x[1, 0].view(-1)[[100, 5]] = float('nan')  # NaN: the first one
    xf = x.flatten(2)
    out, thr, idx, x_max, m, d, gap = drs_cpu.forward(
        xf.clone(), torch.tensor(0.55), None, None, False)
    want_max, want_idx = xf.max(dim=-1)
    torch.testing.assert_close(x_max, want_max, equal_nan=True)
    assert idx[0, :3].tolist() == [0, 7, 2499]
    assert idx[1, 0].item() == 5
    mask = ~torch.isnan(want_max)
    assert torch.equal(idx[mask], want_idx[mask])
    assert torch.isnan(out[1, 0]).all()  # NaN plane: NaN output
    assert not torch.isnan(out[1, 1:]).any()


def test_auto_picks_native_only_where_it_applies(monkeypatch):
    x = torch.randn(1, 2, 4, 4)
    assert drs_fn.resolve_impl('auto', x) == 'native'
    assert drs_fn.resolve_impl('native', x.double()) == 'eager'
    assert drs_fn.resolve_impl('eager', x) == 'eager'
    nhwc = x.to(memory_format=torch.channels_last)[:, :, :, :3]
    assert drs_fn.resolve_impl('auto', nhwc) == 'eager'
    # switched off: the PyTorch code, same values
    monkeypatch.setattr(drs_cpu, '_LIB', None)
    monkeypatch.setattr(drs_cpu, '_FAILED', False)
    monkeypatch.setenv('MMDRS_DRS_NATIVE', '0')
    assert drs_fn.resolve_impl('auto', x) == 'eager'
    torch.testing.assert_close(
        DRS(delta=0.55)(x), _autograd_drs(x, 0.55, None, None))


def test_build_is_cached_atomic_and_falls_back_without_compiler(
        tmp_path, monkeypatch):
    monkeypatch.setenv('MMDRS_OPS_CACHE', str(tmp_path / 'cache'))
    path = drs_cpu.build()
    assert os.path.dirname(path) == str(tmp_path / 'cache')
    assert os.listdir(tmp_path / 'cache') == [os.path.basename(path)]
    mtime = os.path.getmtime(path)
    assert drs_cpu.build() == path  # cached: not rebuilt
    assert os.path.getmtime(path) == mtime
    # no compiler: one clear warning, then the PyTorch code
    monkeypatch.setenv('MMDRS_OPS_CACHE', str(tmp_path / 'empty'))
    monkeypatch.setattr(drs_cpu, '_compiler', lambda: None)
    monkeypatch.setattr(drs_cpu, '_LIB', None)
    monkeypatch.setattr(drs_cpu, '_FAILED', False)
    with pytest.raises(RuntimeError, match='no C compiler'):
        drs_cpu.build()
    x = torch.randn(2, 3, 5, 5)
    with pytest.warns(UserWarning, match='CPU kernels are unavailable'):
        assert drs_fn.resolve_impl('auto', x) == 'eager'
    assert not drs_cpu.available()  # no second attempt


def test_build_error_names_the_compiler_message(tmp_path, monkeypatch):
    bad = tmp_path / 'bad.c'
    bad.write_text('this is not C\n')
    monkeypatch.setattr(drs_cpu, 'SOURCE', str(bad))
    monkeypatch.setenv('MMDRS_OPS_CACHE', str(tmp_path / 'cache'))
    with pytest.raises(RuntimeError, match='compiling the DRS CPU kernels'):
        drs_cpu.build()
    assert os.listdir(tmp_path / 'cache') == []  # no half-written library


def test_delta_above_one_still_caps_relu6():
    """drs_function accepts any fixed delta: with delta > 1 the threshold
    exceeds the ReLU6 cap, and the output must still stop at 6."""
    x = _input((3, 5, 9, 9), 6.0)
    d = torch.tensor(1.5)
    native = drs_fn.drs_function(x.clone(), d, cap=6.0, impl='native')
    eager = drs_fn.drs_function(x.clone(), d, cap=6.0, impl='eager')
    assert torch.equal(native, eager)
    assert native.max().item() == 6.0
