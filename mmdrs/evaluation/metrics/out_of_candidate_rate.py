"""How much of a prediction falls outside the image's own classes."""
from collections import OrderedDict
from typing import Optional, Sequence

import torch
from mmengine.evaluator import BaseMetric
from mmseg.registry import METRICS


@METRICS.register_module()
class OutOfCandidateRate(BaseMetric):
    """Share of pixels predicted as a class the image does not contain.

    The candidate classes of an image are background plus the classes of its
    ground-truth mask (its image-level label); a pixel (not ignored in the
    mask) whose ``pred_sem_seg`` is another class is *out of candidate* -
    the errors OCR (:class:`~mmdrs.models.losses.OutOfCandidateLoss`)
    targets. Reports ``oc/pixel_pct`` (of the evaluated pixels) and
    ``oc/image_pct`` (images with at least one such pixel).

    Args:
        ignore_index (int): Ignored mask value. Defaults to 255.
        collect_device (str): Device for collecting results across ranks.
        prefix (str): Key prefix. Defaults to ``'oc'``.
    """
    default_prefix = 'oc'

    def __init__(self,
                 ignore_index: int = 255,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 **kwargs):
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.ignore_index = ignore_index

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for ds in data_samples:
            if 'pred_sem_seg' not in ds or 'gt_sem_seg' not in ds:
                raise KeyError(f'{ds.get("img_path", "?")}: OutOfCandidate'
                               'Rate needs pred_sem_seg and gt_sem_seg')
            pred = ds['pred_sem_seg']['data'].squeeze(0)
            gt = ds['gt_sem_seg']['data'].squeeze(0).to(pred.device)
            valid = gt != self.ignore_index
            tags = torch.unique(gt[valid])
            cand = torch.isin(pred, torch.cat([tags, tags.new_zeros(1)]))
            oc = int((valid & ~cand).sum())
            self.results.append((oc, int(valid.sum())))

    def compute_metrics(self, results: list) -> dict:
        oc = sum(r[0] for r in results)
        total = sum(r[1] for r in results)
        return OrderedDict(
            pixel_pct=round(100 * oc / max(total, 1), 3),
            image_pct=round(100 * sum(r[0] > 0 for r in results) /
                            max(len(results), 1), 2))
