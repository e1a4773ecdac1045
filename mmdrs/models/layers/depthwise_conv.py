"""Depthwise convolution with mmdrs's CPU kernels where they apply.

:func:`depthwise_conv2d` is ``F.conv2d(F.pad(x, padding), weight, None,
stride, 0, dilation, groups=channels)``. On float32 NCHW CPU tensors it
runs the C kernels of ``csrc/depthwise_cpu.c`` (forward, input and weight
gradients, the padding made per plane: no padded copy kept; built by
:class:`.native_lib.NativeLibrary`); elsewhere - GPUs, channels-last
tensors (what :class:`~mmdrs.engine.ChannelsLastHook` trains with on
AVX-512 CPUs and evaluates with everywhere), other dtypes, autocast,
tracing and compiling - PyTorch's own convolution. The kernels give the
same values up to float rounding (the sums run in another order) and do not
depend on the thread count.

Why: on a CPU without AVX-512 oneDNN computes a depthwise convolution's
weight gradient on NCHW tensors by a GEMM path about 10x slower than its
forward pass, and converts every tensor into its blocked layout and back
(``python tools/benchmarks/train_step.py depthwise``; ``docs/cpu_speed.md``
has the numbers). ``MMDRS_DEPTHWISE_NATIVE=0`` turns the kernels off.
"""
import ctypes
import os.path as osp
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F

from ...utils.compat import autocast_enabled, is_compiling
from .native_lib import CSRC, NativeLibrary

_P, _I, _N = ctypes.c_void_p, ctypes.c_int64, ctypes.c_int
_ARGS = [_P, _P, _P] + [_I] * 14 + [_N]
#: The library (build, load, availability).
LIBRARY = NativeLibrary(
    'depthwise_cpu', osp.join(CSRC, 'depthwise_cpu.c'),
    dict(dw_forward=_ARGS, dw_backward_input=_ARGS,
         dw_backward_weight=_ARGS),
    switch='MMDRS_DEPTHWISE_NATIVE', what='depthwise convolution')

IntPair = Union[int, Tuple[int, int]]


def _square(v: IntPair) -> int:
    if isinstance(v, int):
        return v
    if len(v) != 2 or v[0] != v[1]:
        return -1  # not one value for both axes: PyTorch's convolution
    return int(v[0])


def _pads(padding: Optional[Sequence[int]]) -> Tuple[int, int, int, int]:
    """``F.pad``'s (left, right, top, bottom) as (top, bottom, left,
    right); None: no padding."""
    if padding is None:
        return 0, 0, 0, 0
    if len(padding) != 4 or min(padding) < 0:
        raise ValueError('padding must be (left, right, top, bottom), each '
                         f'>= 0 (F.pad order), got {padding}')
    left, right, top, bottom = (int(p) for p in padding)
    return top, bottom, left, right


def native_applies(x: torch.Tensor,
                   weight: torch.Tensor,
                   stride: int,
                   dilation: int,
                   padding: Optional[Sequence[int]] = None) -> bool:
    """Whether :func:`depthwise_conv2d` runs the C kernels on these inputs.

    Args:
        x (Tensor): Input ``(N, C, H, W)``.
        weight (Tensor): Filters ``(C, 1, kh, kw)``.
        stride (int): One stride for both axes (-1: not square).
        dilation (int): One dilation for both axes (-1: not square).
        padding (Sequence[int], optional): Zero padding, ``F.pad`` order
            (left, right, top, bottom). Defaults to None (no padding).

    Returns:
        bool: True for float32 NCHW-contiguous CPU tensors with a
        non-empty output, outside autocast, tracing and compiling, where
        the kernels could be built.
    """
    if (x.dim() != 4 or weight.dim() != 4 or stride < 1 or dilation < 1
            or x.device.type != 'cpu' or weight.device.type != 'cpu'
            or x.dtype != torch.float32 or weight.dtype != torch.float32
            or not x.is_contiguous() or x.numel() == 0
            or weight.shape[:2] != (x.shape[1], 1)):
        return False
    top, bottom, left, right = _pads(padding)
    kh, kw = weight.shape[2:]
    if (x.shape[2] + top + bottom < (kh - 1) * dilation + 1
            or x.shape[3] + left + right < (kw - 1) * dilation + 1):
        return False  # PyTorch's convolution raises its own error
    if (autocast_enabled('cpu') or torch.jit.is_tracing()
            or torch.jit.is_scripting() or is_compiling()):
        return False
    return LIBRARY.available()


def _shape(x: torch.Tensor, weight: torch.Tensor, stride: int,
           dilation: int, pads: Tuple[int, int, int, int]) -> tuple:
    """The kernels' shape arguments: input, padding (top, left, padded
    size), kernel, stride, dilation, output size."""
    n, c, h, w = x.shape
    top, bottom, left, right = pads
    hp, wp = h + top + bottom, w + left + right
    kh, kw = weight.shape[2:]
    ho = (hp - (kh - 1) * dilation - 1) // stride + 1
    wo = (wp - (kw - 1) * dilation - 1) // stride + 1
    return (n, c, h, w, top, left, hp, wp, kh, kw, stride, dilation, ho,
            wo)


class _DepthwiseConv(torch.autograd.Function):
    """The C kernels as one autograd function (inputs already checked by
    :func:`native_applies`); it saves the unpadded input and the weight
    (``F.pad`` then ``F.conv2d`` keep the padded input)."""

    @staticmethod
    def forward(ctx, x, weight, stride, dilation, pads):
        lib = LIBRARY.load()
        w = weight.contiguous()
        shape = _shape(x, w, stride, dilation, pads)
        out = x.new_empty(shape[0], shape[1], shape[-2], shape[-1])
        lib.dw_forward(x.data_ptr(), w.data_ptr(), out.data_ptr(), *shape,
                       torch.get_num_threads())
        ctx.save_for_backward(x, w)
        ctx.shape = shape
        return out

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_out):
        lib = LIBRARY.load()
        x, w = ctx.saved_tensors
        g = grad_out.contiguous()
        nt = torch.get_num_threads()
        grad_x = grad_w = None
        if ctx.needs_input_grad[0]:
            grad_x = torch.empty_like(x)
            lib.dw_backward_input(g.data_ptr(), w.data_ptr(),
                                  grad_x.data_ptr(), *ctx.shape, nt)
        if ctx.needs_input_grad[1]:
            grad_w = torch.empty_like(w)
            lib.dw_backward_weight(x.data_ptr(), g.data_ptr(),
                                   grad_w.data_ptr(), *ctx.shape, nt)
        return grad_x, grad_w, None, None, None


def depthwise_conv2d(x: torch.Tensor,
                     weight: torch.Tensor,
                     stride: IntPair = 1,
                     dilation: IntPair = 1,
                     padding: Optional[Sequence[int]] = None,
                     native: bool = True) -> torch.Tensor:
    """A depthwise convolution with zero padding and no bias.

    Args:
        x (Tensor): Input ``(N, C, H, W)``.
        weight (Tensor): One filter per channel, ``(C, 1, kh, kw)``.
        stride (int | tuple[int, int]): Defaults to 1.
        dilation (int | tuple[int, int]): Defaults to 1.
        padding (Sequence[int], optional): Zero padding in ``F.pad`` order
            (left, right, top, bottom), e.g. TensorFlow's "SAME" padding.
            Defaults to None (none).
        native (bool): Use the C kernels where :func:`native_applies`;
            False: always PyTorch's convolution. Defaults to True.

    Returns:
        Tensor: ``F.conv2d(F.pad(x, padding), weight, None, stride, 0,
        dilation, C)``.
    """
    pads = _pads(padding)
    s, d = _square(stride), _square(dilation)
    if native and native_applies(x, weight, s, d, padding):
        return _DepthwiseConv.apply(x, weight, s, d, pads)
    if any(pads):
        x = F.pad(x, list(padding))
    return F.conv2d(x, weight, None, stride, 0, dilation, x.shape[1])
