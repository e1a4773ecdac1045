"""A progress bar (images and images/s) for offline test-loop jobs."""
import sys
import time
from typing import Optional

from mmengine.dist import get_world_size, is_main_process
from mmengine.hooks import Hook
from mmseg.registry import HOOKS


@HOOKS.register_module()
class ProgressBarHook(Hook):
    """Print ``done/total, images/s, ETA`` during ``Runner.test()``.

    Only the main process prints; it counts its own batches times the world
    size (ranks get equal shards). Used by ``tools/generate_maps.py``.

    Args:
        interval (int): Print every ``interval`` test iterations.
        file: Stream to print to. Defaults to ``sys.stdout``.
    """
    priority = 'VERY_LOW'

    def __init__(self, interval: int = 1, file=None):
        self.interval = interval
        self.file = file

    def before_test(self, runner) -> None:
        self.total = len(runner.test_dataloader.dataset)
        self.done = 0
        self.t0 = time.time()

    def after_test_iter(self,
                        runner,
                        batch_idx: int,
                        data_batch: Optional[dict] = None,
                        outputs=None) -> None:
        n = len(outputs) if outputs is not None else 1
        self.done = min(self.total, self.done + n * get_world_size())
        last = self.done >= self.total
        if not is_main_process() or (
                (batch_idx + 1) % self.interval and not last):
            return
        elapsed = max(time.time() - self.t0, 1e-9)
        rate = self.done / elapsed
        eta = (self.total - self.done) / max(rate, 1e-9)
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        out = self.file or sys.stdout
        out.write(f'\r[{"#" * filled}{"." * (width - filled)}] '
                  f'{self.done}/{self.total} images, {rate:.1f} img/s, '
                  f'elapsed {elapsed:.0f}s, ETA {eta:.0f}s')
        if last:
            out.write('\n')
        out.flush()
