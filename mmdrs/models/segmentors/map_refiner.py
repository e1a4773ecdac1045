"""Localization-map refinement learning (the DRS paper's self-enhancement)."""
from typing import Optional

import torch
import torch.nn.functional as F
from mmseg.registry import MODELS
from mmseg.utils import SampleList

from .cam_classifier import CAMClassifier


@MODELS.register_module()
class MapRefiner(CAMClassifier):
    """A network trained to regress the classifier's localization maps.

    The DRS paper's refinement network (its self-enhancement step, compared
    with the authors' code in docs/fidelity.md): a backbone without DRS, 3
    extra 3x3 convs and a 1x1 conv to the K class maps
    (:class:`MultiLabelCAMHead` with ``drs_cfg=None``), output upsampled to
    the input size, raw regression output, trained by mean squared error over
    all K channels against ``data_sample.gt_cam_maps`` (stored maps with the
    per-pixel max mask, :class:`~mmdrs.datasets.LoadCAMTargets`).

    Prediction is :class:`CAMClassifier`'s (same multi-scale fusion,
    ``seg_logits`` = [background score, maps]), so ``CAMIoUMetric``,
    ``tools/generate_maps.py`` and the pseudo-label rules work unchanged -
    but, as in the authors' code (``pseudo_seg_label_gen.py``; the
    normalisation line of ``train_refine.py`` is commented out), the refined
    maps are **raw** by default: each pass upsampled (``align_corners=True``),
    max-fused starting from zero (negatives vanish), not divided by its
    maximum, so the pseudo-label rules (alpha = 0.2, the 0.9 conflict rule)
    act on the regressed values (clipped to [0, 1] when stored).
    ``test_cfg.normalize=True`` gives the previous behaviour (each pass
    max-normalised like a CAM).

    Args:
        backbone (dict): Backbone config (swappable, as for the classifier).
        refine_head (dict): Head config, e.g. ``MultiLabelCAMHead`` with
            ``drs_cfg=None``.
        data_preprocessor (dict, optional): ``SegDataPreProcessor`` config.
        train_cfg (dict, optional): Unused.
        test_cfg (dict, optional): As :class:`CAMClassifier`'s, with
            ``normalize=False`` by default; ``align_corners`` also applies to
            the upsampling of the training output (authors': True).
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 backbone: dict,
                 refine_head: dict,
                 data_preprocessor: Optional[dict] = None,
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(
            backbone=backbone,
            cam_head=refine_head,
            data_preprocessor=data_preprocessor,
            train_cfg=train_cfg,
            test_cfg=dict(dict(normalize=False), **(test_cfg or {})),
            init_cfg=init_cfg)

    def loss(self, inputs: torch.Tensor, data_samples: SampleList) -> dict:
        maps = F.interpolate(
            self.class_maps(inputs), size=inputs.shape[-2:],
            mode='bilinear', align_corners=self.test_cfg['align_corners'])
        targets = []
        for ds in data_samples:
            if 'gt_cam_maps' not in ds:
                raise KeyError(
                    f'{ds.metainfo.get("img_path", "?")}: no gt_cam_maps; '
                    'add LoadCAMTargets to the training pipeline')
            t = ds.gt_cam_maps.data
            if t.shape != maps.shape[1:]:
                raise ValueError(
                    f'{ds.metainfo.get("img_path", "?")}: target maps '
                    f'{tuple(t.shape)} vs predictions {tuple(maps.shape[1:])}'
                    ' (resize image and targets to one fixed size)')
            targets.append(t)
        target = torch.stack(targets).to(maps)
        return dict(loss_mse=F.mse_loss(maps, target))
