"""Discriminative Region Suppression (DRS), Kim et al., AAAI 2021."""
from typing import Optional, Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.registry import MODELS

from .drs_function import IMPLS, drs_function


@MODELS.register_module()
class DRS(nn.Module):
    """Discriminative Region Suppression, a drop-in replacement for a ReLU.

    For an input ``x`` of shape (B, C, H, W)::

        x     = act(x)                                  # ReLU by default
        x_max = global max of x per sample and channel  # (B, C, 1, 1)
        out   = min(x, delta * x_max)

    ``delta`` is either a fixed scalar (the paper's non-learnable variant,
    0.55 being the usual value) or predicted by a *suppression controller*:
    ``delta = sigmoid(W @ GAP(x))`` with ``W`` a C x C bias-free linear
    layer initialised N(0, 0.01), so ``delta`` starts near 0.5.

    For ReLU and ReLU6 the whole layer, controller included, is one autograd
    function (:mod:`.drs_function`): ``min(act(x), delta * cap(relu(max x)))``
    - identical to the definition because ``max(relu(x)) = relu(max(x))`` -
    with a hand-written backward giving autograd's gradients, saving only the
    output (as ReLU does) plus (B, C) statistics, optionally in place. Which
    code runs - hand-written C kernels, eager PyTorch ops or
    ``torch.compile`` - is stated once, in :mod:`.drs_function`. The output
    and the input's gradient keep the input's dtype; the (B, C) statistics and
    the controller run in float32 (float64 for a float64 input), also
    inside autocast (AMP), and the controller's gradient is in its weight's
    dtype. ``act='module'`` uses plain autograd.

    A module that a network calls several times per forward (a ResNet block's
    shared ``relu``, say) gets one controller per call: ``channels`` is then a
    sequence, and :meth:`reset_calls` (called by
    :class:`~mmdrs.models.DRSBackbone` before each forward) restarts the call
    count. Calls whose index is not in ``active_calls`` apply the plain
    activation.

    Args:
        delta (float | str): A fixed suppression level in (0, 1], or
            ``'learnable'``. Defaults to ``'learnable'`` (the paper's
            training script).
        channels (int | Sequence[int], optional): Channels per call; required
            for the learnable variant.
        act (str): Activation applied first: ``'relu'``, ``'relu6'`` or
            ``'module'`` (use ``act_module``). Defaults to ``'relu'``.
        act_module (nn.Module, optional): Any activation, for ``'module'``.
        active_calls (Sequence[bool], optional): Per call, whether DRS is
            applied (True) or only the activation (False). Defaults to all.
        init_std (float): Std of the controller init. Defaults to 0.01.
        inplace (bool): Write the output into the input, like
            ``nn.ReLU(inplace=True)`` (ReLU/ReLU6 except learnable ReLU6,
            which keeps its input for the backward). Defaults to False
            (:class:`~mmdrs.models.DRSBackbone` and
            :class:`~mmdrs.models.MultiLabelCAMHead` set it as the ReLU
            they replace had it).
        impl (str): ``'auto'``, ``'native'``, ``'eager'`` or
            ``'compiled'``: the rule choosing the code that runs (see
            :mod:`.drs_function`). Defaults to ``'auto'``.
    """

    def __init__(self,
                 delta: Union[float, str] = 'learnable',
                 channels: Union[int, Sequence[int], None] = None,
                 act: str = 'relu',
                 act_module: Optional[nn.Module] = None,
                 active_calls: Optional[Sequence[bool]] = None,
                 init_std: float = 0.01,
                 inplace: bool = False,
                 impl: str = 'auto'):
        super().__init__()
        if impl not in IMPLS:
            raise ValueError(f'DRS impl must be one of {IMPLS}, got {impl!r}')
        self.inplace = bool(inplace)
        self.impl = impl
        self.learnable = delta == 'learnable'
        if not self.learnable:
            if not isinstance(delta, (int, float)) or not 0 < delta <= 1:
                raise ValueError(
                    f"DRS delta must be a number in (0, 1] or 'learnable', "
                    f'got {delta!r}')
        if act not in ('relu', 'relu6', 'module'):
            raise ValueError(f"DRS act must be 'relu', 'relu6' or 'module', "
                             f'got {act!r}')
        if act == 'module' and act_module is None:
            raise ValueError("DRS act='module' needs act_module")
        self.delta = None if self.learnable else float(delta)
        self.act = act
        self.act_module = act_module
        if isinstance(channels, int):
            channels = [channels]
        self.channels = list(channels) if channels is not None else None
        num_calls = len(self.channels) if self.channels else 1
        self.active_calls = (
            list(active_calls) if active_calls is not None else [True] *
            num_calls)
        if len(self.active_calls) != num_calls:
            raise ValueError(
                f'DRS active_calls has {len(self.active_calls)} entries for '
                f'{num_calls} calls')
        self.init_std = init_std
        if self.learnable:
            if not self.channels:
                raise ValueError('learnable DRS needs `channels`')
            self.suppression_controller = nn.ModuleList([
                nn.Linear(c, c, bias=False) if on else nn.Identity()
                for c, on in zip(self.channels, self.active_calls)
            ])
            self.init_weights()
        self._call = 0

    def init_weights(self) -> None:
        """Initialise the controllers N(0, init_std) (delta ~ 0.5)."""
        if self.learnable:
            for fc in self.suppression_controller:
                if isinstance(fc, nn.Linear):
                    nn.init.normal_(fc.weight, 0, self.init_std)

    def reset_calls(self) -> None:
        """Restart the per-forward call count."""
        self._call = 0

    def _activate(self, x: torch.Tensor) -> torch.Tensor:
        if self.act == 'relu':
            return F.relu(x, inplace=self.inplace)
        if self.act == 'relu6':
            return F.relu6(x, inplace=self.inplace)
        return self.act_module(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        idx = self._call % len(self.active_calls)
        self._call += 1
        if not self.active_calls[idx]:
            return self._activate(x)
        fc = self.suppression_controller[idx] if self.learnable else None
        if fc is not None and x.shape[1] != fc.in_features:
            raise RuntimeError(
                f'DRS call {idx} expected {fc.in_features} channels, got '
                f'{x.shape[1]} (input shape {tuple(x.shape)})')
        if self.act == 'module':
            x = self.act_module(x)
            if fc is not None:
                delta = torch.sigmoid(fc(x.mean(dim=(2, 3))))[..., None, None]
            else:
                delta = self.delta
            return torch.minimum(x, delta * x.amax(dim=(2, 3), keepdim=True))
        return drs_function(
            x,
            delta=None if fc is not None else x.new_tensor(self.delta),
            weight=fc.weight if fc is not None else None,
            cap=6.0 if self.act == 'relu6' else None,
            inplace=self.inplace,
            impl=self.impl)

    def extra_repr(self) -> str:
        delta = 'learnable' if self.learnable else self.delta
        s = f'delta={delta}, act={self.act}'
        if self.channels:
            s += f', channels={self.channels}'
        if self.inplace:
            s += ', inplace=True'
        if self.impl != 'auto':
            s += f', impl={self.impl}'
        if not all(self.active_calls):
            s += f', active_calls={self.active_calls}'
        return s


def drs_reference(x: torch.Tensor,
                  delta: Union[float, torch.Tensor]) -> torch.Tensor:
    """The paper's formulation, step by step (for tests and benchmarks).

    Args:
        x (Tensor): Input of shape (B, C, H, W).
        delta (float | Tensor): Scalar or (B, C, 1, 1) suppression level.

    Returns:
        Tensor: ``min(relu(x), delta * expand(gmp(relu(x))))``.
    """
    x = F.relu(x)
    x_max = F.adaptive_max_pool2d(x, 1).expand_as(x)
    if isinstance(delta, torch.Tensor):
        delta = delta.expand_as(x)
    return torch.min(x, x_max * delta)
