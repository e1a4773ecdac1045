"""Write localization maps to disk from the test loop."""
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmengine.evaluator import BaseMetric
from mmseg.registry import METRICS

from ...fileio import map_file, quantize_maps, save_cam_maps


@METRICS.register_module()
class CAMMapWriter(BaseMetric):
    """Store each image's localization maps (see :mod:`mmdrs.fileio`).

    An "evaluator" for ``Runner.test()`` (``tools/generate_maps.py`` sets it
    up): it reads ``seg_logits`` (channel 0 = background, 1.. = class maps,
    as :class:`~mmdrs.models.CAMClassifier` and the refinement model
    predict them) and writes the maps of the image's classes - the
    ground-truth image label (``gt_img_labels``) when the data sample has
    one, else the classes with positive logits - atomically to
    ``<out_dir>/<image stem>.npz``. Each rank writes the images of its own
    shard, so a distributed run needs no gathering of maps.

    Args:
        out_dir (str): Output folder (created).
        out_size (tuple, optional): (H, W) of the stored maps, e.g. (320,
            320) for the authors' fixed-size refinement targets; maps of
            another size are resized (bilinear; map generation has the model
            predict at this size directly). Defaults to None = as predicted
            (the original image size).
        quantize (str): ``'round'`` (default) or ``'floor'`` (the authors'
            map generator), see :func:`~mmdrs.fileio.quantize_maps`.
        num_threads (int): Threads compressing and writing files while the
            model runs on the next batch; 0 writes in the loop. Defaults
            to 2.
        collect_device (str): Device for collecting the counts.
        prefix (str): Key prefix. Defaults to ``'maps'``.

    Returns from ``evaluate``: ``maps/written`` (images) and
    ``maps/bytes_per_image``.
    """
    default_prefix = 'maps'

    def __init__(self,
                 out_dir: str,
                 out_size: Optional[Tuple[int, int]] = None,
                 quantize: str = 'round',
                 num_threads: int = 2,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 **kwargs):
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.out_dir = out_dir
        self.out_size = tuple(out_size) if out_size is not None else None
        quantize_maps(torch.zeros(1), quantize)  # validate the mode early
        self.quantize = quantize
        os.makedirs(out_dir, exist_ok=True)
        self._pool = ThreadPoolExecutor(num_threads) if num_threads else None
        self._pending = []
        self._max_pending = 4 * num_threads

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        classes = self.dataset_meta['classes'][1:]  # drop background
        for ds in data_samples:
            if 'seg_logits' not in ds:
                raise KeyError(f'{ds.get("img_path", "?")}: CAMMapWriter '
                               'needs seg_logits in the data sample')
            data = ds['seg_logits']['data']  # [background, K maps]
            if data.shape[0] - 1 != len(classes):
                raise ValueError(
                    f'{ds["img_path"]}: the model predicts {data.shape[0] - 1}'
                    f' class maps, the dataset has {len(classes)} classes')
            if 'gt_img_labels' in ds:
                present = ds['gt_img_labels'] > 0
            else:
                present = ds['pred_img_logits'] > 0
            labels = torch.nonzero(present.flatten()).flatten().tolist()
            # only the image's classes from here on
            maps = data[[k + 1 for k in labels]].float()
            if (self.out_size is not None
                    and tuple(maps.shape[-2:]) != self.out_size):
                maps = F.interpolate(
                    maps[None], self.out_size, mode='bilinear',
                    align_corners=False)[0] if len(labels) else maps.new_zeros(
                        (0, *self.out_size))
            job = (map_file(self.out_dir, ds['img_path']),
                   quantize_maps(maps, self.quantize), labels, classes)
            if self._pool is None:
                self.results.append(save_cam_maps(*job))
            else:
                self._pending.append(self._pool.submit(save_cam_maps, *job))
        # bounded queue: memory stays flat however slow the disk is
        while self._pending and (self._pending[0].done() or
                                 len(self._pending) > self._max_pending):
            self.results.append(self._pending.pop(0).result())

    def evaluate(self, size: int) -> dict:
        # every file of this rank is on disk before the counts are gathered
        self.results.extend(f.result() for f in self._pending)
        self._pending = []
        return super().evaluate(size)

    def compute_metrics(self, results: list) -> dict:
        n = len(results)
        return dict(
            written=n, bytes_per_image=round(sum(results) / max(n, 1), 1))
