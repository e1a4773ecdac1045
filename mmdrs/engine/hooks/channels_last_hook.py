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
    adds it; ``--no-channels-last`` leaves the model as it is. Checkpoints
    saved afterwards hold the same values (``state_dict`` is layout-free
    once loaded).
    """
    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        runner.model.to(memory_format=torch.channels_last)
