"""Optimizer constructor with per-key bias learning-rate multipliers."""
from typing import List

import torch.nn as nn
from mmengine.optim import DefaultOptimWrapperConstructor
from mmseg.registry import OPTIM_WRAPPER_CONSTRUCTORS


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class BiasLrMultOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """``DefaultOptimWrapperConstructor`` whose ``custom_keys`` also accept
    ``bias_lr_mult`` and ``bias_decay_mult``.

    mmengine ignores the global ``bias_lr_mult`` for parameters matched by a
    custom key. The DRS recipe needs four groups - pretrained weights 1x,
    pretrained biases 2x, new weights 10x, new biases 20x - which this
    expresses as::

        paramwise_cfg=dict(
            bias_lr_mult=2.0,
            custom_keys={'cam_head': dict(lr_mult=10.0, bias_lr_mult=2.0),
                         'suppression_controller': dict(lr_mult=10.0)})

    A bias matched by a key with ``bias_lr_mult`` gets
    ``base_lr * lr_mult * bias_lr_mult``; with ``bias_decay_mult``,
    ``base_wd * decay_mult * bias_decay_mult`` (e.g. DeepLab's ASPP biases:
    20x lr, no weight decay).
    """

    def add_params(self,
                   params: List[dict],
                   module: nn.Module,
                   prefix: str = '',
                   is_dcn_module=None) -> None:
        start = len(params)
        super().add_params(params, module, prefix, is_dcn_module)
        if prefix:  # only the root call fixes up, once
            return
        names = {id(p): n for n, p in module.named_parameters()}
        custom = self.paramwise_cfg.get('custom_keys', {})
        keys = sorted(sorted(custom), key=len, reverse=True)
        for group in params[start:]:
            group.pop('bias_lr_mult', None)
            group.pop('bias_decay_mult', None)
            name = names.get(id(group['params'][0]), '')
            if not name.endswith('.bias'):
                continue
            key = next((k for k in keys if k in name), None)
            if key is None:
                continue
            if 'bias_lr_mult' in custom[key]:
                group['lr'] = (
                    self.base_lr * custom[key].get('lr_mult', 1.0) *
                    custom[key]['bias_lr_mult'])
            if 'bias_decay_mult' in custom[key] and self.base_wd is not None:
                group['weight_decay'] = (
                    self.base_wd * custom[key].get('decay_mult', 1.0) *
                    custom[key]['bias_decay_mult'])
