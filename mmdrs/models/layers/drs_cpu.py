"""DRS's hand-written CPU kernels (``csrc/drs_cpu.c``): load and call.

Built, cached and loaded by :class:`.native_lib.NativeLibrary` (first use,
or ``python tools/build_kernels.py``); ``MMDRS_DRS_NATIVE=0`` turns them
off, and where no C compiler works DRS runs its PyTorch code instead (one
warning).

Only float32, contiguous CPU tensors go through these kernels; the caller
(:mod:`.drs_function`) checks that.
"""
import ctypes
import os.path as osp
from typing import Optional, Tuple

import torch

from .native_lib import CSRC, NativeLibrary

SOURCE = osp.join(CSRC, 'drs_cpu.c')
_P, _I, _F, _N = ctypes.c_void_p, ctypes.c_int64, ctypes.c_float, ctypes.c_int
#: The library (build, load, availability).
LIBRARY = NativeLibrary(
    'drs_cpu', SOURCE,
    dict(
        drs_forward_fixed=[_P, _P, _I, _I, _N, _F, _F, _P, _P, _P, _N],
        drs_stats=[_P, _I, _I, _N, _F, _P, _P, _P, _N],
        drs_clamp=[_P, _P, _I, _I, _N, _F, _P, _N],
        drs_backward=[_P, _P, _P, _I, _I, _P, _P, _P, _N, _F, _N],
    ),
    switch='MMDRS_DRS_NATIVE', what='DRS')


def load() -> Optional[ctypes.CDLL]:
    """The kernels' library, built on first use; None where unavailable."""
    return LIBRARY.load()


def available() -> bool:
    """Whether the kernels can run here (building them if needed)."""
    return LIBRARY.available()


def supports(x: torch.Tensor) -> bool:
    """Whether ``x`` can go through the kernels."""
    return (x.device.type == 'cpu' and x.dtype == torch.float32
            and x.is_contiguous() and x.numel() > 0 and available())


def _cap(cap: Optional[float]) -> Tuple[int, float]:
    return (0, 0.) if cap is None else (1, float(cap))


def forward(xf: torch.Tensor, delta: Optional[torch.Tensor],
            weight: Optional[torch.Tensor], cap: Optional[float],
            inplace: bool):
    """:func:`.drs_function._fwd` on the kernels (same return values)."""
    lib = LIBRARY.load()
    b, c, n = xf.shape
    planes, nt = b * c, torch.get_num_threads()
    has_cap, capf = _cap(cap)
    out = xf if inplace else torch.empty_like(xf)
    x_max = xf.new_empty(b, c)
    idx = torch.empty(b, c, dtype=torch.int64)
    gap = None
    if weight is None:  # statistics and output per plane, cache-hot
        thr = xf.new_empty(b, c)
        lib.drs_forward_fixed(xf.data_ptr(), out.data_ptr(), planes, n,
                              has_cap, capf, float(delta), x_max.data_ptr(),
                              idx.data_ptr(), thr.data_ptr(), nt)
        m = x_max.clamp(0, cap)
    else:  # the controller needs every channel's GAP first
        act_sum = torch.empty(b, c, dtype=torch.float64)
        lib.drs_stats(xf.data_ptr(), planes, n, has_cap, capf,
                      x_max.data_ptr(), idx.data_ptr(), act_sum.data_ptr(),
                      nt)
        gap = (act_sum / n).float()
        delta = torch.sigmoid(gap @ weight.float().t())
        m = x_max.clamp(0, cap)
        thr = (delta * m).to(xf.dtype).contiguous()
        lib.drs_clamp(xf.data_ptr(), out.data_ptr(), planes, n, has_cap,
                      capf, thr.data_ptr(), nt)
    return None if inplace else out, thr, idx, x_max, m, delta, gap


def backward(gf, sf, thr, idx, x_max, m, delta, gap, weight, cap,
             s_is_input: bool, need_w: bool, small_grads):
    """:func:`.drs_function._bwd` on the kernels: one pass for a fixed
    delta, two (clipped sums, then the gradient) for a learnable one."""
    lib = LIBRARY.load()
    b, c, n = sf.shape
    planes, nt = b * c, torch.get_num_threads()
    gf = gf.contiguous()
    thr = thr.contiguous()
    clip = torch.empty(b, c, dtype=torch.float64)
    gx = torch.empty_like(gf)
    fixed = weight is None
    # fixed delta: grad_x with the clipped sums in one pass; learnable: the
    # sums first, since the controller's term of grad_x needs all of them
    lib.drs_backward(gf.data_ptr(), sf.data_ptr(),
                     gx.data_ptr() if fixed else None, planes, n,
                     thr.data_ptr(), clip.data_ptr(), None, 0, 0., nt)
    grad_delta, grad_m, grad_w, g_gap = small_grads(
        clip.float(), (x_max, m, delta, gap, weight, n), cap, need_w)
    if not fixed:
        g_gap = g_gap.to(gf.dtype).contiguous()
        has_cap, capf = _cap(cap if s_is_input else None)
        lib.drs_backward(gf.data_ptr(), sf.data_ptr(), gx.data_ptr(), planes,
                         n, thr.data_ptr(), None, g_gap.data_ptr(), has_cap,
                         capf, nt)
    gx.scatter_add_(2, idx[..., None], grad_m.to(gf.dtype)[..., None])
    return gx, grad_delta, grad_w
