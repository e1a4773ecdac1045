"""Run convolutions in the channels-last (NHWC) memory format."""
import torch
from mmengine.hooks import Hook
from mmseg.registry import HOOKS


@HOOKS.register_module()
class ChannelsLastHook(Hook):
    """Convert the model's weights to ``torch.channels_last`` for the run.

    Convolutions then produce NHWC activations, which oneDNN on CPUs (and
    cuDNN under mixed precision) runs faster: on 2 CPU cores the toy
    EfficientNet-Lite0 classifier's batched forward takes ~10 % less time
    (``tools/benchmarks/map_generation.py``). Results are equal up to float
    rounding (only the accumulation order changes). ``tools/generate_maps.py``
    adds it; ``--no-channels-last`` leaves the model as it is. The CPU
    photo profile's training configs set it too (their steps take 0.74 to
    0.85 of the NCHW time: ``tools/benchmarks/train_step.py layout``).
    Checkpoints saved afterwards hold the same values (``state_dict`` is
    layout-free once loaded).

    The model is converted when a loop starts (``before_train`` /
    ``before_val`` / ``before_test``): after the runner has initialised its
    weights - random initialisers fill a tensor in memory order, so the
    same seed gives other weights in another layout - and loaded or
    resumed a checkpoint. Converting an already converted model is a no-op.
    """
    priority = 'VERY_HIGH'

    @staticmethod
    def _convert(runner) -> None:
        runner.model.to(memory_format=torch.channels_last)

    def before_train(self, runner) -> None:
        self._convert(runner)

    def before_val(self, runner) -> None:
        self._convert(runner)

    def before_test(self, runner) -> None:
        self._convert(runner)
