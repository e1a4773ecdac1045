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

    The paper's refinement network (drs.md §5): a backbone without DRS, 3
    extra 3x3 convs and a 1x1 conv to the K class maps
    (:class:`MultiLabelCAMHead` with ``drs_cfg=None``), output upsampled to
    the input size, raw regression output, trained by mean squared error over
    all K channels against ``data_sample.gt_cam_maps`` (stored maps with the
    per-pixel max mask, :class:`~mmdrs.datasets.LoadCAMTargets`).

    Prediction is :class:`CAMClassifier`'s (same multi-scale fusion, each
    pass max-normalised, ``seg_logits`` = [background score, maps]), so
    ``CAMIoUMetric``, ``tools/generate_maps.py`` and the pseudo-label rules
    work unchanged. drs.md does not say whether the refined maps are
    normalised; on the toy data the raw (ReLU'd) outputs of a 6-epoch
    refiner scored 43.0 CAM mIoU (56.7 saliency protocol) against 61.0
    (73.6) normalised, so normalising is the default and
    ``test_cfg.normalize=False`` gives the raw values (clipped to [0, 1]
    when stored).

    Args:
        backbone (dict): Backbone config (swappable, as for the classifier).
        refine_head (dict): Head config, e.g. ``MultiLabelCAMHead`` with
            ``drs_cfg=None``.
        data_preprocessor (dict, optional): ``SegDataPreProcessor`` config.
        train_cfg (dict, optional): Unused.
        test_cfg (dict, optional): As :class:`CAMClassifier`'s.
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
            test_cfg=test_cfg,
            init_cfg=init_cfg)

    def loss(self, inputs: torch.Tensor, data_samples: SampleList) -> dict:
        maps = F.interpolate(
            self.class_maps(inputs), size=inputs.shape[-2:],
            mode='bilinear', align_corners=False)
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
