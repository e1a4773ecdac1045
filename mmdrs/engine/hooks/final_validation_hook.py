"""Validate a run that is resumed after its last training step."""
from mmengine.hooks import Hook
from mmseg.registry import HOOKS


@HOOKS.register_module()
class FinalValidationHook(Hook):
    """Run the validation loop at the end of a run that trained nothing.

    A run that dies in its final validation (or while saving after it)
    leaves a checkpoint of the last step. Resumed, mmengine's training loop
    finds nothing left to train and ends without validating, so the final
    model would never be scored. With this hook such a resumed run - no
    training step and no validation in this process, a validation loop
    configured - validates the final model once, through the usual hooks
    (logged scalars, ``save_best`` of the checkpoint hook).
    ``tools/train.py`` registers it for every run.
    """
    priority = 'LOW'

    def __init__(self):
        self._trained = False
        self._validated = False

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        self._trained = True

    def after_val_epoch(self, runner, metrics=None) -> None:
        self._validated = True

    def after_train(self, runner) -> None:
        if self._trained or self._validated or runner.val_loop is None:
            return
        runner.logger.info('resumed after the last training step without a '
                           'final validation: validating the final model')
        runner.val_loop.run()
