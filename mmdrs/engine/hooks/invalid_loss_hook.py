"""Stop a run whose training loss is no longer finite."""
import math

from mmengine.hooks import Hook
from mmseg.registry import HOOKS


@HOOKS.register_module()
class InvalidLossHook(Hook):
    """Raise as soon as the training loss is NaN or infinite.

    mmengine keeps training a diverged model: every later step is NaN, the
    checkpoints hold NaN weights, and the maps, labels and table rows made
    from them look like results. This hook ends such a run at the first
    bad step, naming the config, the iteration and the epoch, before a
    checkpoint of it is written (the last good one stays).
    ``tools/train.py`` registers it for every run.

    Args:
        interval (int): Check every ``interval`` training iterations.
            Defaults to 1 (one scalar read a step).
    """
    priority = 'ABOVE_NORMAL'  # before the checkpoint hook's iteration save

    def __init__(self, interval: int = 1):
        self.interval = interval

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        if not outputs or 'loss' not in outputs or \
                not self.every_n_train_iters(runner, self.interval):
            return
        loss = outputs['loss']
        loss = float(loss.detach() if hasattr(loss, 'detach') else loss)
        if math.isfinite(loss):
            return
        where = getattr(runner.cfg, 'filename', None) or runner.work_dir
        raise FloatingPointError(
            f'{where}: the training loss is {loss} at iteration '
            f'{runner.iter + 1} (epoch {runner.epoch + 1}): the run diverged '
            f'(too high a learning rate for the batches it sees?); its last '
            f'good checkpoint is in {runner.work_dir}')
