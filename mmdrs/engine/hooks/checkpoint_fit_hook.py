"""Refuse a test-time checkpoint whose parameters are not the model's."""
import re

from mmengine.hooks import Hook
from mmengine.model import BaseTTAModel, is_model_wrapper
from mmseg.registry import HOOKS


def _show(keys) -> str:
    return ', '.join(keys[:4]) + (' ...' if len(keys) > 4 else '')


@HOOKS.register_module()
class CheckpointFitHook(Hook):
    """Raise when a loaded checkpoint's keys are not the model's.

    mmengine loads ``load_from`` leniently: missing or unexpected keys are
    a warning in the log and the run goes on with whatever did not load
    left at its initial values. A DRS classifier trained with a learnable
    delta but built with a fixed-delta config silently loses its
    suppression controllers; one trained with a fixed delta but built with
    a learnable config runs with random ones; a segmentor built with
    another head runs with a random head. On ``after_load_checkpoint`` -
    the checkpoint the runner has just read, before it goes into the model
    - this hook compares the keys (after the runner's own ``module.``
    prefix strip; wrappers and TTA / CRF wrappers unwrapped, as mmengine
    loads them) and raises a ``ValueError`` naming the checkpoint, the
    config and the first keys of each kind.

    For runs that load a trained model to use it (``tools/test.py`` and
    the map generator register it for every run); not for a training run's
    ``load_from`` of another task's weights, where partial loading is the
    point.
    """
    priority = 'VERY_HIGH'

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        model = runner.model
        while is_model_wrapper(model) or isinstance(model, BaseTTAModel):
            model = model.module
        state = checkpoint.get('state_dict', checkpoint)
        got = {re.sub(r'^module\.', '', k) for k in state}
        own = set(model.state_dict())
        missing, unexpected = sorted(own - got), sorted(got - own)
        if not missing and not unexpected:
            return
        where = getattr(runner.cfg, 'filename', None) or 'the config'
        raise ValueError(
            f"checkpoint {runner.cfg.get('load_from')} does not fit the "
            f'model of {where} (with its --cfg-options): {len(missing)} '
            f'missing keys [{_show(missing)}], {len(unexpected)} unexpected '
            f'keys [{_show(unexpected)}]; build the model as it was trained '
            '(e.g. the same DRS delta)')
