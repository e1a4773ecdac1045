"""DRS's hand-written CPU kernels (mmdrs/models/layers/drs_cpu.py)."""
import os
import re

import pytest
import torch

from mmdrs.models import DRS
from mmdrs.models.layers import drs_cpu
from mmdrs.models.layers import drs_function as drs_fn

from test_drs import (_autograd_drs, _autograd_drs_first_max,
                      _check_against_autograd, _tie_input)

pytestmark = pytest.mark.skipif(
    not drs_cpu.available(), reason='no C compiler: kernels not built')


# (H, W): shorter than one unrolled step, tails, and (2nd) more than
# MIN_PARALLEL elements in all, so that OpenMP splits the planes
@pytest.mark.parametrize('hw', [(3, 5), (9, 9), (16, 8), (37, 41)])
@pytest.mark.parametrize('learnable', [False, True])
@pytest.mark.parametrize('act', ['relu', 'relu6'])
@pytest.mark.parametrize('inplace', [False, True])
def test_native_matches_autograd(hw, learnable, act, inplace):
    """The kernels against autograd (the PyTorch code on the same inputs:
    test_drs.py::test_eager_function_matches_autograd)."""
    cap = 6.0 if act == 'relu6' else None
    x0 = _tie_input((4, 5, *hw), cap)
    assert drs_fn.resolve_impl('native', x0) == 'native'
    # fixed delta: the same float operations, so bit for bit; learnable:
    # the GAP's sum is added in another order
    _check_against_autograd(
        learnable, act, inplace, 'native', x0=x0,
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
    drs_cpu.LIBRARY.reset()
    monkeypatch.setenv('MMDRS_DRS_NATIVE', '0')
    try:
        assert drs_fn.resolve_impl('auto', x) == 'eager'
        torch.testing.assert_close(
            DRS(delta=0.55)(x), _autograd_drs(x, 0.55, None, None))
    finally:
        drs_cpu.LIBRARY.reset()


def test_delta_above_one_still_caps_relu6():
    """drs_function accepts any fixed delta: with delta > 1 the threshold
    exceeds the ReLU6 cap, and the output must still stop at 6."""
    x = _tie_input((3, 5, 9, 9), 6.0)
    d = torch.tensor(1.5)
    native = drs_fn.drs_function(x.clone(), d, cap=6.0, impl='native')
    eager = drs_fn.drs_function(x.clone(), d, cap=6.0, impl='eager')
    assert torch.equal(native, eager)
    assert native.max().item() == 6.0


@pytest.mark.parametrize('act', ['relu', 'relu6'])
@pytest.mark.parametrize('impl', ['native', 'eager'])
def test_learnable_is_reproducible_bit_for_bit(impl, act):
    """Every reduction of DRS (max, GAP and clipped sums, the controller's
    matmuls) has a fixed order: the same forward and backward, twice on 2
    threads and on 1 and 4 threads, give identical outputs and gradients.
    The activation is large enough for OpenMP to split the planes."""
    cap = 6.0 if act == 'relu6' else None
    x0 = _tie_input((4, 32, 24, 24), cap)
    g = torch.randn(x0.shape, generator=torch.Generator().manual_seed(6))
    drs = DRS(delta='learnable', channels=32, act=act, inplace=True,
              impl=impl)
    with torch.no_grad():
        drs.suppression_controller[0].weight.normal_(
            0, .1, generator=torch.Generator().manual_seed(7))
    w = drs.suppression_controller[0].weight
    assert x0.numel() >= 2 * 32768  # above the kernels' MIN_PARALLEL

    def run(threads):
        torch.set_num_threads(threads)
        x = x0.clone().requires_grad_(True)
        w.grad = None
        out = drs(x * 1.)
        out.backward(g)
        return out.detach(), x.grad, w.grad.clone()

    before = torch.get_num_threads()
    try:
        first = run(2)
        for threads in (2, 1, 4):
            for a, b in zip(first, run(threads)):
                assert torch.equal(a, b)
    finally:
        torch.set_num_threads(before)
    assert drs_fn.resolve_impl(impl, x0) == impl


_OPENMP = re.compile(r'/lib(gomp|iomp5|omp|omp5)\b[^/]*$')


@pytest.mark.skipif(not os.path.isdir('/proc/self'),
                    reason='needs /proc/self/maps (Linux)')
def test_one_openmp_runtime_in_the_process():
    """The kernels' OpenMP calls go to the runtime torch loaded: after
    torch's own parallel ops and the kernels have run, the process maps
    one OpenMP library file (two runtimes would each keep a thread pool,
    and libgomp beside libiomp5/libomp is unsupported by both)."""
    lib = drs_cpu.load()
    try:
        lib.GOMP_parallel  # resolved through the library's own links
    except AttributeError:
        pytest.skip('kernels built without OpenMP (or not GNU ABI)')
    x = _tie_input((4, 32, 24, 24), None)
    torch.relu(x)  # torch's own OpenMP region
    DRS(delta=.55, impl='native')(x)
    with open('/proc/self/maps') as f:
        paths = {line.split()[-1] for line in f if '/' in line}
    runtimes = {p for p in paths if _OPENMP.search(p)}
    assert len(runtimes) == 1, runtimes
