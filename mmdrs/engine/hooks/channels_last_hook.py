"""Run convolutions in the channels-last (NHWC) memory format."""
from typing import Optional, Sequence

import torch
from mmengine.hooks import Hook
from mmseg.registry import HOOKS


@HOOKS.register_module()
class ChannelsLastHook(Hook):
    """Convert the model's weights to ``torch.channels_last`` for the run.

    Convolutions then produce NHWC activations. Results are equal up to
    float rounding (only the accumulation order changes); checkpoints saved
    afterwards hold the same values (``state_dict`` is layout-free once
    loaded). Whether it is faster depends on the CPU, so training and
    inference are decided apart (one thread, ``tools/benchmarks/
    train_step.py layout [--forward-only]``):

    - **validation and testing** (forward only) always run channels-last:
      the photo profile's classifier / DeepLab-V3+ forward takes 0.73 /
      0.94 of the NCHW time on an AVX2 CPU (AMD EPYC; ``layout
      --forward-only``), the toy classifier's batched map generation ~0.9
      on an AVX-512 one; ``tools/generate_maps.py`` adds the hook
      (``--no-channels-last`` leaves the model as it is);
    - **training** (forward and backward) runs channels-last only on the
      CPUs named by ``train_cpus`` (``torch.backends.cpu.
      get_cpu_capability()``) and on other devices: on an AVX-512 CPU a
      step of the photo profile's classifier / full-depth refiner /
      DeepLab-V3+ takes 0.74 / 0.76 / 0.85 of the NCHW time, on an AVX2 CPU
      the classifier's and DeepLab's take 1.14 / 1.29 (oneDNN's NHWC
      backward), so those train NCHW.

    The model is converted when a loop starts (``before_train`` /
    ``before_val`` / ``before_test``): after the runner has initialised its
    weights - random initialisers fill a tensor in memory order, so the
    same seed gives other weights in another layout - and loaded or
    resumed a checkpoint. A validation inside training gives the model
    back in the training layout. Converting a model that is already in the
    layout is a no-op.

    Args:
        train_cpus (Sequence[str], optional): CPU capabilities on which
            training runs channels-last; None: every CPU. Defaults to
            ``('AVX512',)``.
    """
    priority = 'VERY_HIGH'

    def __init__(self, train_cpus: Optional[Sequence[str]] = ('AVX512', )):
        if isinstance(train_cpus, str):
            raise TypeError('ChannelsLastHook: train_cpus must be a list of '
                            "capabilities such as ['AVX512'], got the "
                            f'string {train_cpus!r}')
        self.train_cpus = None if train_cpus is None else tuple(train_cpus)
        self._train_format = None  # set while a training loop runs

    def train_format(self, runner) -> torch.memory_format:
        """The memory format training runs in on the runner's device.

        Args:
            runner (Runner): The runner (its model's first parameter tells
                the device).

        Returns:
            torch.memory_format: ``channels_last`` or ``contiguous_format``.
        """
        param = next(runner.model.parameters(), None)
        on_cpu = param is None or param.device.type == 'cpu'
        if (not on_cpu or self.train_cpus is None
                or torch.backends.cpu.get_cpu_capability()
                in self.train_cpus):
            return torch.channels_last
        return torch.contiguous_format

    @staticmethod
    def _convert(runner, memory_format: torch.memory_format) -> None:
        runner.model.to(memory_format=memory_format)

    def before_train(self, runner) -> None:
        self._train_format = self.train_format(runner)
        self._convert(runner, self._train_format)

    def after_train(self, runner) -> None:
        self._train_format = None

    def before_val(self, runner) -> None:
        self._convert(runner, torch.channels_last)

    def after_val(self, runner) -> None:
        if self._train_format is not None:
            self._convert(runner, self._train_format)

    def before_test(self, runner) -> None:
        self._convert(runner, torch.channels_last)
