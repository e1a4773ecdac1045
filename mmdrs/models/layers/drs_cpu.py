"""DRS's hand-written CPU kernels (``csrc/drs_cpu.c``): build, load, call.

The C source has no PyTorch headers: it is compiled by the system C
compiler in about a second on first use (``-O3 -march=native -fopenmp``;
without ``-march=native`` / OpenMP where the compiler refuses them) into a
per-user cache (``$MMDRS_OPS_CACHE``, else ``$XDG_CACHE_HOME/mmdrs``, else
``~/.cache/mmdrs``), keyed by the source, the compiler, its flags and the
CPU's feature flags, written atomically (temp file + rename, so concurrent
DDP ranks are safe) and loaded with :mod:`ctypes`.
``python tools/build_drs_kernels.py`` builds it ahead of time
(``tools/setup_env.sh`` does). Where no compiler works, or
``MMDRS_DRS_NATIVE=0`` is set, :func:`available` is False and DRS runs its
PyTorch code instead (one warning where the build failed).

Only float32, contiguous CPU tensors go through these kernels; the caller
(:mod:`.drs_function`) checks that.

OpenMP: ``-fopenmp`` links the library to ``libgomp.so.1``; the dynamic
loader resolves that name to the libgomp torch has already loaded where
that is its runtime (the pinned torch 2.13 CPU wheel ships
``torch/lib/libgomp.so.1``), so one runtime and one thread pool serve both
(checked by ``tests/test_models/test_drs_cpu.py``). A torch on another
runtime (Intel's libiomp5 or LLVM's libomp, e.g. some conda builds; or a
wheel whose libgomp was renamed ``libgomp-<hash>.so.1``) would get the
system libgomp as a second runtime beside its own, which the OpenMP
vendors do not support (it usually runs, with two thread pools competing
for the cores); ``MMDRS_DRS_NATIVE=0`` avoids it. Apple clang has no
``-fopenmp``: there the kernels build single-threaded (the third flag set).
"""
import ctypes
import hashlib
import os
import os.path as osp
import platform
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import warnings
from typing import List, Optional, Tuple

import torch

from mmdrs.utils.cpu_info import cpuinfo_value

SOURCE = osp.join(osp.dirname(osp.abspath(__file__)), 'csrc', 'drs_cpu.c')
#: Flag sets tried in order: the first that compiles is used.
FLAG_SETS = (
    ['-O3', '-march=native', '-fopenmp'],
    ['-O3', '-fopenmp'],
    ['-O3'],
)
_LIB = None
_FAILED = False

_P, _I, _F, _N = ctypes.c_void_p, ctypes.c_int64, ctypes.c_float, ctypes.c_int
_SIGNATURES = dict(
    drs_forward_fixed=[_P, _P, _I, _I, _N, _F, _F, _P, _P, _P, _N],
    drs_stats=[_P, _I, _I, _N, _F, _P, _P, _P, _N],
    drs_clamp=[_P, _P, _I, _I, _N, _F, _P, _N],
    drs_backward=[_P, _P, _P, _I, _I, _P, _P, _P, _N, _F, _N],
)


def _cache_dir() -> str:
    root = os.environ.get('MMDRS_OPS_CACHE')
    if not root:
        root = osp.join(
            os.environ.get('XDG_CACHE_HOME') or osp.expanduser('~/.cache'),
            'mmdrs')
    return root


def _compiler() -> Optional[str]:
    for cc in (os.environ.get('CC'), sysconfig.get_config_var('CC'), 'cc',
               'gcc', 'clang'):
        if cc:
            exe = shutil.which(cc.split()[0])
            if exe:
                return exe
    return None


def _cpu_flags() -> str:
    """The CPU's feature flags (the key of a ``-march=native`` build)."""
    return cpuinfo_value(('flags', 'Features'),
                         platform.machine() + platform.processor())


def _key(cc: str, flags: List[str], src: bytes) -> str:
    h = hashlib.sha1(src)
    for part in (cc, ' '.join(flags), _cpu_flags(), sys.platform):
        h.update(part.encode())
    return h.hexdigest()[:16]


def build(verbose: bool = False) -> str:
    """Compile the kernels (if not cached) and return the library's path.

    Raises:
        RuntimeError: no C compiler, or every flag set failed (with the
            compiler's message).
    """
    cc = _compiler()
    if cc is None:
        raise RuntimeError('no C compiler found (set CC)')
    with open(SOURCE, 'rb') as f:
        src = f.read()
    os.makedirs(_cache_dir(), exist_ok=True)
    errors = []
    for flags in FLAG_SETS:
        path = osp.join(_cache_dir(), f'drs_cpu-{_key(cc, flags, src)}.so')
        if osp.isfile(path):
            return path
        fd, tmp = tempfile.mkstemp(suffix='.so', dir=_cache_dir())
        os.close(fd)
        cmd = [cc, *flags, '-fPIC', '-shared', SOURCE, '-o', tmp]
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode == 0:
            os.replace(tmp, path)  # atomic: concurrent builds are safe
            if verbose:
                print(' '.join(cmd[:-1] + [path]))
            return path
        os.unlink(tmp)
        errors.append(f'{" ".join(cmd)}: {res.stderr.strip()[-300:]}')
    raise RuntimeError('compiling the DRS CPU kernels failed:\n' +
                       '\n'.join(errors))


def load() -> Optional[ctypes.CDLL]:
    """The kernels' library, built on first use; None where unavailable."""
    global _LIB, _FAILED
    if _LIB is not None or _FAILED:
        return _LIB
    if os.environ.get('MMDRS_DRS_NATIVE', '1') == '0':
        _FAILED = True
        return None
    try:
        lib = ctypes.CDLL(build())
        for name, argtypes in _SIGNATURES.items():
            getattr(lib, name).argtypes = argtypes
            getattr(lib, name).restype = None
        _LIB = lib
    except (OSError, RuntimeError) as e:
        _FAILED = True
        warnings.warn(f'DRS: the CPU kernels are unavailable ({e}); using '
                      'the PyTorch implementation')
    return _LIB


def available() -> bool:
    """Whether the kernels can run here (building them if needed)."""
    return load() is not None


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
    lib = _LIB
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
    lib = _LIB
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
