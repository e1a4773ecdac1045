"""Multi-label classification mAP."""
from typing import Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmseg.registry import METRICS

from ..functional import average_precision


@METRICS.register_module()
class MultiLabelMAP(BaseMetric):
    """Mean average precision of image-level predictions.

    Reads ``pred_img_logits`` and ``gt_img_labels`` of each data sample;
    classes without positives in the evaluated set are left out of the mean.

    Args:
        collect_device (str): Device for collecting results across ranks.
        prefix (str): Key prefix. Defaults to ``'cls'`` (key ``cls/mAP``).
    """
    default_prefix = 'cls'

    def __init__(self,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 **kwargs):
        super().__init__(collect_device=collect_device, prefix=prefix)

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for ds in data_samples:
            if 'pred_img_logits' not in ds or 'gt_img_labels' not in ds:
                raise KeyError(
                    f'{ds.get("img_path", "?")}: MultiLabelMAP needs '
                    'pred_img_logits and gt_img_labels in the data sample')
            self.results.append(
                (ds['pred_img_logits'].float().cpu().numpy(),
                 ds['gt_img_labels'].cpu().numpy()))

    def compute_metrics(self, results: list) -> dict:
        scores = np.stack([r[0] for r in results])
        labels = np.stack([r[1] for r in results])
        aps = average_precision(scores, labels)
        return dict(mAP=round(float(np.nanmean(aps)) * 100, 2))
