"""Insert DRS into any backbone without touching its code or weights."""
import fnmatch
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmseg.registry import MODELS

from ..layers.drs import DRS

_ACT_TYPES = {
    'ReLU': (nn.ReLU, 'relu'),
    'ReLU6': (nn.ReLU6, 'relu6'),
}


@MODELS.register_module()
class DRSBackbone(BaseModule):
    """Wrap a backbone and put DRS in place of (some of) its activations.

    The wrapped backbone is built from its own config (so its
    ``init_cfg``, e.g. ``Pretrained`` torchvision/ImageNet weights, keeps
    working: activations have no weights and the new controller weights are
    simply missing from the checkpoint), then every activation module whose
    qualified name matches one of ``targets`` is replaced by a :class:`DRS`.

    A dry-run forward on a dummy input records the channel count of every call
    of every matched module, so learnable controllers get the right size even
    for a module that is called several times per forward with different
    channel counts (``call_indices`` then picks the calls to suppress).

    **Where DRS goes in a ResNet.** VGG has one ReLU after each conv, and the
    paper replaces them all. A ResNet bottleneck applies its single ``relu``
    module three times: after ``bn1`` (call 0), after ``bn2`` (call 1) and
    after the residual add (call 2). Choices, all configs of this class:

    * after the residual add (``targets=['layer*.relu'],
      call_indices=[-1]``): suppresses the block output, i.e. what the next
      block and the head see - the closest analogue of the paper's "after
      every conv block output" and our ResNet default;
    * inside the branch, after BN and before the add (``call_indices=[0, 1]``):
      the identity path stays unsuppressed, so the peak can pass around DRS;
    * before BN (``insert_after=['layer4.*.conv2']``): DRS (with its ReLU) is
      inserted after the named modules via a forward hook, leaving the
      backbone's state dict intact. This changes the block's function more
      and is provided for experiments only.

    Args:
        backbone (dict): Config of the wrapped backbone.
        drs_cfg (dict, optional): Keyword arguments of :class:`DRS`
            (``delta``, ``init_std``, ``impl``, ...); channels/act are filled
            in per module. Without an ``inplace`` key, a DRS that replaces an
            activation inherits that module's ``inplace`` (the backbone
            already lets it overwrite its input: ``nn.ReLU(inplace=True)``
            becomes an in-place DRS); one inserted after a module is never
            in place.
            ``None`` leaves the backbone untouched (the plain-CAM baseline,
            with the same parameter names as the DRS variants).
        targets (Sequence[str]): ``fnmatch`` patterns of activation module
            names (relative to the wrapped backbone) to replace. Defaults to
            all (``['*']``).
        call_indices (Sequence[int] | dict, optional): For modules called
            more than once per forward, which calls get DRS (negative counts
            from the end). A dict maps fnmatch patterns of module names to
            such lists (first match wins; unmatched modules: all calls).
            Defaults to all calls.
        insert_after (Sequence[str]): Patterns of module names after whose
            output a DRS is applied (see above). Defaults to none.
        act_types (Sequence[str]): Activation class names that ``targets``
            may replace. Defaults to ReLU and ReLU6.
        probe_shape (tuple): Input shape of the dry run.
        init_cfg (dict, optional): Initialisation config of the wrapper.
    """

    def __init__(self,
                 backbone: dict,
                 drs_cfg: Optional[dict] = dict(delta='learnable'),
                 targets: Sequence[str] = ('*', ),
                 call_indices: Union[Sequence[int], Dict[str, Sequence[int]],
                                     None] = None,
                 insert_after: Sequence[str] = (),
                 act_types: Sequence[str] = ('ReLU', 'ReLU6'),
                 probe_shape: Tuple[int, ...] = (1, 3, 64, 64),
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        unknown = set(act_types) - set(_ACT_TYPES)
        if unknown:
            raise ValueError(f'DRSBackbone act_types {sorted(unknown)} are '
                             f'not supported; use {sorted(_ACT_TYPES)}')
        self.backbone = MODELS.build(backbone)
        self.replaced_names: List[str] = []
        self.inserted_drs = nn.ModuleDict()
        self._drs_list: List[DRS] = []
        if drs_cfg is None:
            return
        self.drs_cfg = dict(drs_cfg)
        self.targets = list(targets)
        if call_indices is None or isinstance(call_indices, dict):
            self.call_indices = call_indices
        else:
            self.call_indices = {'*': list(call_indices)}
        act_classes = tuple(_ACT_TYPES[t][0] for t in act_types)
        named = OrderedDict(
            (n, m) for n, m in self.backbone.named_modules()
            if isinstance(m, act_classes) and any(
                fnmatch.fnmatchcase(n, p) for p in self.targets))
        inserted = OrderedDict(
            (n, m) for n, m in self.backbone.named_modules()
            if n and any(fnmatch.fnmatchcase(n, p) for p in insert_after))
        if not named and not inserted:
            raise ValueError(
                f'DRSBackbone: no activation of types {list(act_types)} '
                f'matches targets {self.targets} in '
                f"{backbone.get('type')}; its activations are: "
                f'{self._activation_names(act_classes)[:20]}')
        calls = self._probe_channels({**named, **inserted}, probe_shape)
        self._replace(named, calls)
        for name, mod in inserted.items():
            drs = self._make_drs(calls.get(name, []), 'relu', name, False)
            self.inserted_drs[name.replace('.', '__')] = drs
            mod.register_forward_hook(_ApplyDRS(drs))
        # cached once: the forward resets their call counters every time
        self._drs_list = [m for m in self.modules() if isinstance(m, DRS)]

    def _activation_names(self, act_classes) -> List[str]:
        return [
            n for n, m in self.backbone.named_modules()
            if isinstance(m, act_classes)
        ]

    @torch.no_grad()
    def _probe_channels(self, modules: Dict[str, nn.Module],
                        shape) -> Dict[str, List[int]]:
        """Channels of each call of each module in one dummy forward."""
        calls: Dict[str, List[int]] = {n: [] for n in modules}
        hooks = []
        for name, mod in modules.items():

            def hook(m, args, out, name=name):
                t = out if isinstance(out, torch.Tensor) else args[0]
                calls[name].append(int(t.shape[1]))

            hooks.append(mod.register_forward_hook(hook))
        was_training = self.backbone.training
        self.backbone.eval()
        try:
            self.backbone(torch.zeros(shape))
        finally:
            for h in hooks:
                h.remove()
            self.backbone.train(was_training)
        return calls

    def _make_drs(self, channels: List[int], act: str, name: str,
                  inplace: bool) -> DRS:
        if not channels:
            raise ValueError(
                f'DRSBackbone: module {name!r} matched but was never called '
                'in the dry-run forward; exclude it from the patterns')
        active = [True] * len(channels)
        indices = next((v for p, v in (self.call_indices or {}).items()
                        if fnmatch.fnmatchcase(name, p)), None)
        if indices is not None and len(channels) > 1:
            chosen = {i % len(channels) for i in indices}
            active = [i in chosen for i in range(len(channels))]
        return DRS(channels=channels, act=act, active_calls=active,
                   **{'inplace': inplace, **self.drs_cfg})

    def _replace(self, named: Dict[str, nn.Module],
                 calls: Dict[str, List[int]]) -> None:
        new_for = {}
        for name, mod in named.items():
            act = next(a for cls, a in _ACT_TYPES.values()
                       if type(mod) is cls)
            new_for[id(mod)] = self._make_drs(
                calls[name], act, name, bool(getattr(mod, 'inplace', False)))
        # replace every registration of each module (shared modules too)
        for parent_name, parent in list(
                self.backbone.named_modules(remove_duplicate=False)):
            for child_name, child in list(parent.named_children()):
                if id(child) in new_for:
                    setattr(parent, child_name, new_for[id(child)])
                    full = (f'{parent_name}.{child_name}'
                            if parent_name else child_name)
                    self.replaced_names.append(full)

    def drs_modules(self) -> List[DRS]:
        """All DRS modules of the wrapped backbone (replaced and inserted)."""
        return list(self._drs_list)

    def init_weights(self) -> None:
        """Initialise the backbone (e.g. load pretrained weights), then the
        DRS controllers, which the backbone's init rules must not touch."""
        super().init_weights()
        for m in self.drs_modules():
            m.init_weights()

    def forward(self, x: torch.Tensor):
        for m in self._drs_list:
            m.reset_calls()
        return self.backbone(x)


class _ApplyDRS:
    """Forward hook applying a DRS to a module's output."""

    def __init__(self, drs: DRS):
        self.drs = drs

    def __call__(self, module, args, out):
        return self.drs(out)
