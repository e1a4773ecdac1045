"""CAM quality: mIoU with a background-threshold sweep."""
import os.path as osp
from collections import OrderedDict
from typing import Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger, print_log
from mmseg.registry import METRICS
from prettytable import PrettyTable

from ...fileio import load_saliency
from ...models.utils import saliency_argmax, saliency_label
from ..functional import (cam_confusion, label_confusion, label_miou,
                          threshold_sweep_summary)


#: background scores swept by default: fine steps at the low end, where
#: narrow maps peak, then every 0.05 up to 0.95
DEFAULT_THRESHOLDS = (0.01, 0.02, 0.03, 0.04) + tuple(
    np.round(np.arange(0.05, 0.951, 0.05), 2))


@METRICS.register_module()
class CAMIoUMetric(BaseMetric):
    """mIoU of localization maps, sweeping the background threshold.

    Reads ``seg_logits`` (channel 0 = background score, 1.. = class maps, as
    produced by :class:`~mmdrs.models.CAMClassifier`) and ``gt_sem_seg`` of
    each data sample. For every threshold ``t`` the prediction is background
    unless a class map exceeds ``t``; the best threshold and its mIoU are
    reported (the WSSS convention for CAM quality), with a per-class table.

    With ``saliency_dir`` it also reports ``sal_mIoU``: the DRS code's own
    protocol, background = 1 - binary saliency, class scores below
    ``alpha`` zeroed, argmax (``saliency_protocol='eval'``, as the authors'
    ``validate`` that selects their checkpoints:
    :func:`~mmdrs.models.utils.saliency_argmax`), or with the pseudo-label
    rules on top (``'labels'``: :func:`~mmdrs.models.utils.saliency_label`;
    pixels those rules ignore count as misses).

    Args:
        thresholds (Sequence[float]): Background scores swept, ascending.
            Defaults to 0.01 ... 0.04 and 0.05, 0.10, ..., 0.95 (on
            photographs plain CAMs can peak below 0.05 and spread DRS maps
            well above the toy's 0.60).
        ignore_index (int): Ignored GT value. Defaults to 255.
        collect_device (str): Device for collecting results across ranks.
        prefix (str): Key prefix. Defaults to ``'cam'`` (keys ``cam/mIoU``,
            ``cam/best_threshold``, ``cam/mIoU@0.25`` ...).
        saliency_dir (str, optional): Folder of saliency PNGs (0-255) named
            like the images; a relative path is taken from the dataset root
            (the parent of the image folder), e.g. ``'SaliencyMaps'``.
        alpha (float): Class-score floor of the saliency protocol.
        saliency_protocol (str): ``'eval'`` (default, the authors'
            validation) or ``'labels'`` (the pseudo-label rules).
        resize_saliency (bool): Resize saliency maps of another size than
            the masks (nearest), as the authors' validation does at 320x320;
            default False raises ``ValueError`` naming the file.
        normalize (bool): Divide each image's class maps by their maximum
            before the threshold sweep (for raw maps, e.g. refined maps, so
            the sweep's thresholds mean what they mean for CAMs); the
            saliency protocol always sees the maps as given. Default False.

    After ``compute_metrics`` the full summary (``IoU_per_class``,
    ``mIoU_per_threshold``, ``best_threshold``; see
    :func:`~mmdrs.evaluation.threshold_sweep_summary`) is kept in
    ``last_summary`` for tools that report it (``tools/analysis/
    eval_maps.py``).
    """
    default_prefix = 'cam'

    def __init__(self,
                 thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
                 ignore_index: int = 255,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 saliency_dir: Optional[str] = None,
                 alpha: float = 0.2,
                 saliency_protocol: str = 'eval',
                 resize_saliency: bool = False,
                 normalize: bool = False,
                 **kwargs):
        super().__init__(collect_device=collect_device, prefix=prefix)
        if saliency_protocol not in ('eval', 'labels'):
            raise ValueError("saliency_protocol must be 'eval' or 'labels', "
                             f'got {saliency_protocol!r}')
        self.saliency_dir = saliency_dir
        self.alpha = alpha
        self.saliency_protocol = saliency_protocol
        self.resize_saliency = resize_saliency
        self.normalize = normalize
        self.thresholds = [float(t) for t in thresholds]
        if sorted(self.thresholds) != self.thresholds:
            raise ValueError(f'thresholds must be ascending: {thresholds}')
        self.ignore_index = ignore_index

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for ds in data_samples:
            if 'seg_logits' not in ds or 'gt_sem_seg' not in ds:
                raise KeyError(
                    f'{ds.get("img_path", "?")}: CAMIoUMetric needs '
                    'seg_logits and gt_sem_seg in the data sample')
            cams = ds['seg_logits']['data'][1:].float()
            gt = ds['gt_sem_seg']['data'].squeeze(0).to(cams.device)
            swept = cams
            if self.normalize:
                swept = cams / (cams.amax(dim=(1, 2), keepdim=True) + 1e-5)
            conf = cam_confusion(swept, gt, self.thresholds,
                                 self.ignore_index)
            sal_conf = None
            if self.saliency_dir is not None:
                sal = self._load_saliency(ds['img_path'], gt.shape)
                rule = (saliency_argmax if self.saliency_protocol == 'eval'
                        else saliency_label)
                pred = rule(cams, sal, alpha=self.alpha)
                sal_conf = label_confusion(pred.cpu(), gt.cpu(),
                                           cams.shape[0] + 1,
                                           self.ignore_index)
            self.results.append((conf.cpu().numpy(), sal_conf))

    def _load_saliency(self, img_path: str, shape) -> torch.Tensor:
        sal_dir = self.saliency_dir
        if not osp.isabs(sal_dir):  # relative to the dataset root
            sal_dir = osp.join(osp.dirname(osp.dirname(img_path)), sal_dir)
        try:
            sal = load_saliency(sal_dir, img_path, shape,
                                resize=self.resize_saliency)
        except FileNotFoundError as err:
            raise FileNotFoundError(
                f'{err} (CAMIoUMetric saliency_dir={self.saliency_dir!r}; '
                'without saliency maps set saliency_dir=None and select '
                "checkpoints by 'cam/mIoU' (default_hooks.checkpoint."
                'save_best)') from err
        return torch.from_numpy(sal.astype(np.float32))

    def compute_metrics(self, results: list) -> dict:
        logger: MMLogger = MMLogger.get_current_instance()
        conf = np.sum([r[0] for r in results], axis=0)
        classes = self.dataset_meta['classes'] if self.dataset_meta else [
            str(i) for i in range(conf.shape[-1])
        ]
        summary = threshold_sweep_summary(conf, self.thresholds, classes)
        self.last_summary = summary
        table = PrettyTable(['Class', 'IoU'])
        for name, v in summary['IoU_per_class'].items():
            if not np.isnan(v):  # classes absent from the split: no row
                table.add_row([name, f'{v:.2f}'])
        print_log(
            f"CAM IoU per class at the best background threshold "
            f"{summary['best_threshold']:.2f}:\n" + table.get_string(),
            logger=logger)
        out = OrderedDict(
            mIoU=round(summary['mIoU'], 2),
            best_threshold=summary['best_threshold'])
        for t, m in summary['mIoU_per_threshold'].items():
            out[f'mIoU@{t}'] = round(m, 2)
        if self.saliency_dir is not None:
            miou = label_miou(np.sum([r[1] for r in results], axis=0))
            out['sal_mIoU'] = round(miou, 2)
            summary['sal_mIoU'] = miou
        return out
