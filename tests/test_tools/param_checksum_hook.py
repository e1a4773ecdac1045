"""A hook for the launcher tests: each rank records its model's parameters.

Imported by the training processes through ``custom_imports`` (the test puts
this folder on ``PYTHONPATH``); each rank writes
``<work_dir>/params_rank<rank>.json`` after training with the parameter
digests before and after training, its world size and iteration count.
"""
import hashlib
import json
import os.path as osp
from typing import Iterable, Tuple

import torch
from mmengine.dist import get_rank, get_world_size
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmseg.registry import HOOKS


def param_digest(named_tensors: Iterable[Tuple[str, torch.Tensor]]) -> str:
    """SHA-1 of named tensors (sorted by name): equal only when every
    value is equal bit for bit.

    Args:
        named_tensors: ``(name, tensor)`` pairs, e.g.
            ``model.named_parameters()``.

    Returns:
        str: The hex digest.
    """
    h = hashlib.sha1()
    for name, t in sorted(named_tensors, key=lambda kv: kv[0]):
        h.update(name.encode())
        h.update(t.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


@HOOKS.register_module()
class ParamChecksumHook(Hook):
    """Write this rank's parameter digests (before / after training)."""

    def _model(self, runner):
        model = runner.model
        return model.module if is_model_wrapper(model) else model

    def before_train(self, runner) -> None:
        self._initial = param_digest(self._model(runner).named_parameters())

    def after_train(self, runner) -> None:
        params = list(self._model(runner).named_parameters())
        record = dict(
            rank=get_rank(),
            world_size=get_world_size(),
            iters=runner.iter,
            names=[name for name, _ in params],
            initial=self._initial,
            final=param_digest(params))
        path = osp.join(runner.work_dir, f'params_rank{get_rank()}.json')
        with open(path, 'w') as f:
            json.dump(record, f)
