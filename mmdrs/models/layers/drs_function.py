"""The DRS operation as one autograd function: C kernels, eager or compiled.

``out = min(act(x), delta * cap(relu(max x)))`` per sample and channel, with
``act`` ReLU or ReLU6 and ``delta`` a fixed scalar or the learnable
controller ``sigmoid(W @ GAP(act(x)))`` - the whole DRS layer, controller
included, in one :class:`torch.autograd.Function` so that it can

* keep little for the backward: the layer's *output* (which the next layer
  saves anyway, as a ReLU does), never a second full-size copy of the
  input; per-channel statistics are (B, C) tensors;
* run in place on its input (``inplace=True``, like ``nn.ReLU(inplace=True)``);
* do the backward with hand-derived gradients in one pass over the
  activation (fixed delta) or two (learnable: a reduction, then an
  element-wise pass), and
* run those passes as hand-written C kernels (:mod:`.drs_cpu`: a plane's
  statistics and output while it is in cache, so a fixed delta costs one
  pass over the activation each way), as eager PyTorch ops, or as
  ``torch.compile``-generated kernels of the same tensor code (inductor:
  C++/OpenMP on CPU, Triton on CUDA).

Which code runs (the one statement of it; :func:`resolve_impl` decides per
call from the input, ``impl`` of :class:`~mmdrs.models.DRS` /
:func:`drs_function` chooses the rule):

* ``'auto'`` (the default): the **C kernels** for float32, contiguous CPU
  tensors, where they were built (a C compiler worked and
  ``MMDRS_DRS_NATIVE`` is not ``0``); **eager** PyTorch ops for everything
  else - float64, float16 / bfloat16 (e.g. activations produced under
  autocast), non-contiguous inputs, CUDA, or no kernels. ``torch.compile``
  is **opt-in**: with ``MMDRS_DRS_COMPILE=1`` in the environment, those
  other inputs of at least :data:`AUTO_MIN_NUMEL` elements run compiled
  (compiling costs 5-100 s per process, which only long runs earn back).
* ``'native'``: ``'auto'`` without the compiled branch.
* ``'eager'`` / ``'compiled'``: that path for every input; compiled falls
  back to eager (one warning) where ``torch.compile`` fails.
* Inside a user's ``torch.compile`` the eager code runs, traced into the
  user's graph.

The backward takes the forward's path (a gradient that is not float32 after
a C-kernel forward takes the eager backward). Autocast is switched off
inside the function, so only the activation's own dtype counts: a float32
activation inside autocast still runs the C kernels. The dtypes of the
statistics and the controller: :func:`acc_dtype`. docs/drs_speed.md
("Which path runs where") has the same as a table, with the measurements.

Gradients are those of autograd through the paper's formulation (ReLU, global
max, sigmoid controller over global average pooling, element-wise min), with
the max's gradient sent to the argmax pixel that ``Tensor.max(dim)`` reports.
Only documented exception: with ``save='output'`` a channel whose threshold
``delta * max`` underflows to exactly 0 while its max is positive (delta
below ~1e-38) gets no gradient instead of the clipped pixels' gradient sum.
"""
import contextlib
import os
import re
import types
import warnings
from typing import Optional

import torch

from ...utils.compat import autocast_enabled, is_compiling
from . import drs_cpu

#: Implementation rules (which code each runs where: the module docstring).
IMPLS = ('auto', 'native', 'eager', 'compiled')
#: 'auto' compiles for activations with at least this many elements.
AUTO_MIN_NUMEL = 1 << 16


# --------------------------------------------------------------- kernels
def acc_dtype(dtype: torch.dtype) -> torch.dtype:
    """The dtype of DRS's (B, C) statistics, sums and controller for an
    activation of ``dtype``: float32, or float64 for a float64 activation.

    Half-precision activations (AMP) keep their statistics and the
    controller in float32, as autocast keeps reductions and parameters.
    """
    return torch.promote_types(dtype, torch.float32)


def _autocast_off(device_type: str):
    """A context turning autocast off on ``device_type`` where it is on.

    Inside the function every dtype is chosen explicitly (the activation's
    own, and :func:`acc_dtype` for the controller); autocast would run the
    controller's matmuls in float16/bfloat16. (Entering a disabled
    ``torch.autocast`` costs ~6 us, a tenth of a small DRS call, hence the
    check first.)
    """
    if not autocast_enabled(device_type):
        return contextlib.nullcontext()
    try:
        return torch.autocast(device_type, enabled=False)
    except RuntimeError:  # a device type without autocast
        return contextlib.nullcontext()


#: Block length of the two-level max/argmax (see :func:`_max_argmax`).
BLOCK = 64


def _max_argmax(xf: torch.Tensor, relu_cap=False, cap=None):
    """Per-row max and first argmax of ``xf`` (B, C, N), and optionally the
    per-row sum of ``clamp(xf, 0, cap)``.

    ``Tensor.max(dim)`` (values and indices) is several times slower on CPU
    than ``amax``; here the indices come from block maxima: one ``amax``
    pass over blocks of :data:`BLOCK` elements (with the ReLU sum in the
    same pass when asked), then the first block holding the row max and the
    first position inside it - the index ``Tensor.max(dim)`` returns.
    """
    b, c, n = xf.shape
    nb = n // BLOCK
    if nb == 0:
        x_max, idx = xf.max(dim=-1)
        act_sum = (xf.clamp(0, cap).sum(-1, dtype=acc_dtype(xf.dtype))
                   if relu_cap else None)
        return x_max, idx, act_sum
    main = xf[..., :nb * BLOCK].view(b, c, nb, BLOCK)
    bmax = main.amax(dim=-1)  # (B, C, nb)
    x_max = bmax.amax(dim=-1)
    blk = (bmax == x_max[..., None]).to(torch.uint8).argmax(dim=-1)
    vals = main.gather(2, blk[..., None, None].expand(b, c, 1, BLOCK))
    inner = (vals[:, :, 0] == x_max[..., None]).to(torch.uint8).argmax(-1)
    idx = blk * BLOCK + inner
    act_sum = None
    if relu_cap:
        act_sum = main.clamp(0, cap).sum(
            dim=-1, dtype=acc_dtype(xf.dtype)).sum(dim=-1)
    if n > nb * BLOCK:  # tail shorter than a block
        tail = xf[..., nb * BLOCK:]
        t_max, t_idx = tail.max(dim=-1)
        later = t_max > x_max  # ties: the earlier (main) index wins
        idx = torch.where(later, t_idx + nb * BLOCK, idx)
        x_max = torch.maximum(x_max, t_max)
        if relu_cap:
            act_sum = act_sum + tail.clamp(0, cap).sum(
                dim=-1, dtype=act_sum.dtype)
    return x_max, idx, act_sum


def _fwd(xf: torch.Tensor, delta: Optional[torch.Tensor],
         weight: Optional[torch.Tensor], cap: Optional[float], inplace: bool,
         fused: bool):
    """Forward core on ``xf`` (B, C, H*W). Returns out (None if written
    into ``xf``), thr, idx, x_max, m, delta, gap.

    ``fused`` (compiled) computes the statistics in one reduction pass
    (max blocks and, if learnable, the ReLU sum) and writes the output in
    one element-wise pass; eager runs PyTorch ops, in place where possible.
    """
    n = xf.shape[-1]
    learnable = weight is not None
    acc = acc_dtype(xf.dtype)
    x_max, idx, act_sum = _max_argmax(xf, learnable and fused, cap)
    m = x_max.clamp(0, cap)  # = max(act(x)) since act is monotone
    gap = None
    if fused:
        if learnable:
            gap = act_sum / n
            delta = torch.sigmoid(gap @ weight.to(acc).t())
        thr = (delta * m).to(xf.dtype)
        out = torch.minimum(xf.clamp(0, cap), thr[..., None])
        if inplace:  # the caller returns x
            xf.copy_(out)
            out = None
        return out, thr, idx, x_max, m, delta, gap
    # eager: act (into x or a new tensor), then the cap in place; capping
    # at 6 first is harmless for the output since thr <= 6
    out = xf.clamp_(0, cap) if inplace else xf.clamp(0, cap)
    if learnable:
        gap = out.mean(dim=-1, dtype=acc)
        delta = torch.sigmoid(gap @ weight.to(acc).t())
    thr = (delta * m).to(xf.dtype)
    torch.minimum(out, thr[..., None], out=out)
    return None if inplace else out, thr, idx, x_max, m, delta, gap


def _small_grads(grad_thr, thr_inputs, cap, need_w):
    """Gradients of the (B, C) quantities from the clipped sums.

    ``grad_thr`` (and, if learnable, ``delta`` and ``gap``) are in the
    :func:`acc_dtype` of the activation; ``grad_w`` is in the weight's
    dtype.
    """
    x_max, m, delta, gap, weight, hw = thr_inputs
    grad_delta = grad_thr * m
    live = x_max > 0
    if cap is not None:
        live = live & (x_max < cap)
    grad_m = grad_thr * delta * live  # to each channel's argmax pixel
    grad_w = g_gap = None
    if weight is not None:  # delta = sigmoid(gap @ W^T)
        gz = grad_delta * delta * (1 - delta)
        if need_w:
            grad_w = (gz.t() @ gap).to(weight.dtype)
        g_gap = (gz @ weight.to(gz.dtype)) / hw
    return grad_delta, grad_m, grad_w, g_gap


def _bwd(gf, sf, thr, idx, x_max, m, delta, gap, weight, cap,
         s_is_input: bool, need_w: bool, fused: bool):
    """Backward core on (B, C, H*W) tensors: grad_x, grad_delta (B, C),
    grad_w.

    ``sf`` is the saved tensor: the output (``s_is_input`` False) or the
    input; either tells the three regions apart given ``thr`` (dead:
    ``s <= 0``, clipped: ``s >= thr``, passed: in between). Fixed delta:
    one pass (the passed gradient and the clipped sums together), then
    the (B, C) argmax updates; learnable: the clipped sums first, since the
    controller's gradient reaches every positive pixel.
    """
    hw = sf.shape[-1]
    t = thr[..., None]
    clipped = sf >= t
    if not fused:
        return _bwd_eager(gf, sf, clipped,
                          (x_max, m, delta, gap, weight, hw), idx, cap,
                          s_is_input, need_w)
    grad_thr = torch.where(clipped, gf, 0).sum(dim=-1,
                                               dtype=acc_dtype(gf.dtype))
    grad_delta, grad_m, grad_w, g_gap = _small_grads(
        grad_thr, (x_max, m, delta, gap, weight, hw), cap, need_w)
    gx = torch.where((sf > 0) & ~clipped, gf, 0)
    if g_gap is not None:
        on = sf > 0
        if s_is_input and cap is not None:
            on = on & (sf < cap)
        gx = gx + torch.where(on, g_gap.to(gf.dtype)[..., None], 0)
    gx = gx.scatter_add(2, idx[..., None], grad_m.to(gf.dtype)[..., None])
    return gx, grad_delta, grad_w


def _bwd_eager(gf, sf, clipped, thr_inputs, idx, cap, s_is_input,
               need_w):
    """:func:`_bwd` in eager ops: few full-size temporaries, in place."""
    gx = torch.where(clipped, 0., gf)  # gradient outside the clipped set
    acc = acc_dtype(gf.dtype)
    grad_thr = gf.sum(dim=-1, dtype=acc) - gx.sum(dim=-1, dtype=acc)
    grad_delta, grad_m, grad_w, g_gap = _small_grads(grad_thr, thr_inputs,
                                                     cap, need_w)
    if g_gap is not None:  # every positive pixel (below the cap)
        gx.add_(g_gap.to(gf.dtype)[..., None])
    # zero the dead pixels (and, for an input above the ReLU6 cap, the
    # controller's term; the output never exceeds thr <= 6)
    if cap is not None and (s_is_input or g_gap is None):
        torch.ops.aten.hardtanh_backward.grad_input(
            gx, sf, 0., cap, grad_input=gx)
    else:
        torch.ops.aten.threshold_backward.grad_input(
            gx, sf, 0, grad_input=gx)
    gx.scatter_add_(2, idx[..., None], grad_m.to(gf.dtype)[..., None])
    return gx, grad_delta, grad_w


# ------------------------------------------------------- compiled kernels
_COMPILED = {}
_COMPILE_FAILED = False


def _compile_disabled() -> bool:
    return _COMPILE_FAILED or not hasattr(torch, 'compile')  # torch < 2.0


def _own_code(fn, key):
    """A copy of ``fn`` with its own code object.

    torch.compile keeps its guarded graphs per code object, with a limit on
    their number; one copy per static configuration (act, variant, in
    place, ...) keeps each configuration's graphs apart.
    """
    tag = re.sub(r'\W', '_', '_'.join(map(str, key)))
    code = fn.__code__.replace(co_name=f'{fn.__name__}_{tag}')
    return types.FunctionType(code, fn.__globals__, code.co_name,
                              fn.__defaults__, fn.__closure__)


def _run(name, fn, *args, compiled: bool, static=()):
    """Run kernel ``fn`` compiled (``fused`` code) or eagerly.

    ``static`` lists the arguments' static configuration (the key of the
    compiled copy); tensors' shapes are dynamic.
    """
    global _COMPILE_FAILED
    if compiled and not _compile_disabled():
        key = (name, ) + tuple(static)
        cfn = _COMPILED.get(key)
        if cfn is None:
            cfn = _COMPILED[key] = torch.compile(
                _own_code(fn, key), dynamic=True, fullgraph=True)
        try:
            return cfn(*args, fused=True)
        except Exception as e:  # no compiler, unsupported device, ...
            _COMPILE_FAILED = True
            warnings.warn(f'DRS: torch.compile failed ({type(e).__name__}: '
                          f'{str(e)[:200]}); using the eager kernels')
    return fn(*args, fused=False)


def use_compiled(impl: str, x: torch.Tensor) -> bool:
    """Whether implementation ``impl`` compiles for input ``x``."""
    if impl in ('eager', 'native') or _compile_disabled():
        return False
    if is_compiling():  # inside a user's torch.compile
        return False
    if impl == 'compiled':
        return True
    # compiling costs 5-100 s per process (docs/drs_speed.md): opt-in
    if os.environ.get('MMDRS_DRS_COMPILE', '0') != '1':
        return False
    return x.numel() >= AUTO_MIN_NUMEL


def resolve_impl(impl: str, x: torch.Tensor) -> str:
    """The code that runs implementation ``impl`` on input ``x``:
    'native', 'compiled' or 'eager' (the rules: the module docstring)."""
    if (impl in ('auto', 'native') and not is_compiling()
            and drs_cpu.supports(x)):
        return 'native'
    return 'compiled' if use_compiled(impl, x) else 'eager'


# ------------------------------------------------------ autograd function
class DRSFunction(torch.autograd.Function):
    """DRS forward and hand-written backward (see the module docstring).

    ``apply(x, delta, weight, cap, inplace, save, impl)``:

    * ``delta``: 0-dim tensor (fixed delta) or None (learnable);
    * ``weight``: the controller's (C, C) weight, or None (fixed);
    * ``cap``: 6.0 for ReLU6, None for ReLU;
    * ``save``: 'output' or 'input' (needed for ReLU6 + learnable: the
      controller's GAP has no gradient where x >= 6, which the output
      cannot tell);
    * ``impl``: 'native' (:mod:`.drs_cpu`), 'compiled' (torch.compile)
      or 'eager' (see :func:`resolve_impl`).
    """

    @staticmethod
    def forward(ctx, x, delta, weight, cap, inplace, save, impl):
        if x.dim() != 4:
            raise ValueError(f'DRS expects (B, C, H, W) input, got shape '
                             f'{tuple(x.shape)}')
        # in place: where the output may replace the saved input, and into
        # a (B, C, H*W) view
        inplace = inplace and save == 'output' and x.is_contiguous()
        with _autocast_off(x.device.type):
            if impl == 'native':
                out, thr, idx, x_max, m, d, gap = drs_cpu.forward(
                    x.flatten(2), delta, weight, cap, inplace)
            else:
                static = (delta is None, cap, inplace, x.dtype,
                          x.device.type)
                out, thr, idx, x_max, m, d, gap = _run(
                    'fwd', _fwd, x.flatten(2), delta, weight, cap, inplace,
                    compiled=impl == 'compiled', static=static)
        if inplace:
            out = x
            ctx.mark_dirty(x)
        else:
            out = out.view(x.shape)
        s = out if save == 'output' else x
        ctx.save_for_backward(s, thr, idx, x_max, m, d, gap, weight)
        ctx.cap, ctx.s_is_input, ctx.impl = cap, save == 'input', impl
        ctx.delta_meta = None if delta is None else (delta.shape,
                                                     delta.dtype)
        return out

    @staticmethod
    def backward(ctx, grad):
        s, thr, idx, x_max, m, d, gap, weight = ctx.saved_tensors
        need_w = weight is not None and ctx.needs_input_grad[2]
        args = (grad.contiguous().flatten(2), s.flatten(2), thr, idx, x_max,
                m, d, gap, weight, ctx.cap, ctx.s_is_input, need_w)
        with _autocast_off(grad.device.type):
            if ctx.impl == 'native' and grad.dtype == torch.float32:
                gx, grad_delta, grad_w = drs_cpu.backward(
                    *args, _small_grads)
            else:
                gx, grad_delta, grad_w = _run(
                    'bwd', _bwd, *args, compiled=ctx.impl == 'compiled',
                    static=(weight is None, ctx.cap, ctx.s_is_input,
                            need_w, s.dtype, s.device.type))
        g_delta = None
        if ctx.needs_input_grad[1]:
            shape, dtype = ctx.delta_meta
            g_delta = grad_delta.sum().reshape(shape).to(dtype)
        gx = gx.view(grad.shape) if ctx.needs_input_grad[0] else None
        return (gx, g_delta, grad_w,
                None, None, None, None)


def drs_function(x: torch.Tensor,
                 delta: Optional[torch.Tensor] = None,
                 weight: Optional[torch.Tensor] = None,
                 cap: Optional[float] = None,
                 inplace: bool = False,
                 impl: str = 'auto') -> torch.Tensor:
    """``min(act(x), delta * max act(x))`` with the memory-lean backward.

    Args:
        x (Tensor): (B, C, H, W) input (pre-activation).
        delta (Tensor, optional): Fixed delta (0-dim); None if learnable.
        weight (Tensor, optional): (C, C) controller weight (learnable).
        cap (float, optional): 6.0 for ReLU6, None for ReLU.
        inplace (bool): Write the output into ``x`` (as a ReLU with
            ``inplace=True``); ignored for ReLU6 + learnable.
        impl (str): One of :data:`IMPLS` (which code each runs: the module
            docstring).

    Returns:
        Tensor: the DRS output, same shape as ``x``.
    """
    if (delta is None) == (weight is None):
        raise ValueError('drs_function needs exactly one of delta / weight')
    if impl not in IMPLS:
        raise ValueError(f'DRS impl must be one of {IMPLS}, got {impl!r}')
    save = 'input' if (weight is not None and cap is not None) else 'output'
    return DRSFunction.apply(x, delta, weight, cap, inplace, save,
                             resolve_impl(impl, x))
