"""RRM's reliable-region labels: CAM + two dense CRFs, 255 where unsure.

Zhang et al., "Reliability Does Matter", AAAI 2020 (``compute_seg_label``
of the authors' code). A saliency-free pseudo-label rule with ignore
regions: used online by :class:`~mmdrs.models.RRMSegmentor` and offline by
``tools/make_pseudo_labels.py --mode reliable``.
"""
from typing import Optional, Sequence

import numpy as np
import torch
from mmseg.registry import TASK_UTILS

from .crf import dense_crf

# the authors' training-time CRF (tool/imutils.py: crf_inference)
RRM_TRAIN_CRF = dict(iters=10, gauss_sxy=3, gauss_compat=3,
                     bilateral_sxy=80, bilateral_srgb=13,
                     bilateral_compat=10, unary='raw')


def reliable_region_rule(cams: torch.Tensor,
                         crf_low: torch.Tensor,
                         crf_high: torch.Tensor,
                         bg_power: float = 32,
                         cam_floor: float = 0.1,
                         fg_percentile: float = 0.6,
                         bg_sure: float = 0.8,
                         crf_conf: float = 0.8,
                         ignore_index: int = 255) -> torch.Tensor:
    """The label rule given the two CRF outputs.

    1. CAM argmax over [bg = (1 - max_k cam)^``bg_power``, cams].
    2. Label = argmax of ``crf_low``; its background -> ignore; then every
       pixel where ``crf_high``'s argmax is background -> background.
    3. CAM-sure pixels: for each class present in the ``crf_low`` argmax,
       within its CAM-argmax region, those with a score above the value at
       ``fg_percentile`` of the sorted scores > ``cam_floor`` (the top 40 %
       of the region); for background, those with bg > ``bg_sure``. A class
       without a score above the floor has no sure pixel (the authors' code
       crashes there).
    4. CRF-sure pixels: max over [crf_high's background, crf_low's classes]
       >= ``crf_conf``.
    5. Pixels not sure by 3 or 4 -> ``ignore_index``.

    Args:
        cams (Tensor): (K, H, W) foreground CAMs in [0, 1], each divided by
            its max, absent classes zero.
        crf_low (Tensor): (K+1, H, W) CRF probabilities of [(1 - max)^4,
            cams] (the weak-background CRF), absent classes zero.
        crf_high (Tensor): (K+1, H, W) same with (1 - max)^32.

    Returns:
        Tensor: int64 (H, W) labels 0..K or ``ignore_index``.
    """
    k = cams.shape[0]
    if crf_low.shape[0] != k + 1 or crf_high.shape != crf_low.shape:
        raise ValueError(f'CRF outputs {tuple(crf_low.shape)} / '
                         f'{tuple(crf_high.shape)} must be (K+1, H, W) for '
                         f'{k} CAMs')
    bg = (1 - cams.amax(0)).clamp(min=0)**bg_power
    scores = torch.cat([bg[None], cams])
    cam_arg = scores.argmax(0)
    low_arg, high_arg = crf_low.argmax(0), crf_high.argmax(0)
    label = low_arg.clone()
    label[low_arg == 0] = ignore_index
    sure = torch.zeros_like(cam_arg, dtype=torch.bool)
    for c in low_arg.unique().tolist():
        region = torch.where(cam_arg == c, scores[c],
                             torch.zeros_like(scores[c]))
        if c == 0:
            sure |= region > bg_sure
            continue
        values = region[region > cam_floor].sort().values
        if values.numel() == 0:
            continue
        cut = values[int(values.numel() * fg_percentile)]
        sure |= region > cut
    label[high_arg == 0] = 0
    crf_best = torch.cat([crf_high[:1], crf_low[1:]]).amax(0)
    label[(crf_best < crf_conf) | ~sure] = ignore_index
    return label


def reliable_region_label(cams: torch.Tensor,
                          img: np.ndarray,
                          present: Optional[Sequence[int]] = None,
                          crf_powers: Sequence[float] = (4, 32),
                          crf_cfg: Optional[dict] = None,
                          **rule_kwargs) -> torch.Tensor:
    """One image's reliable-region label (runs the two dense CRFs).

    Args:
        cams (Tensor): (K, H, W) CAMs in [0, 1] (each divided by its max),
            absent classes zero.
        img (ndarray): (H, W, 3) uint8 image.
        present (Sequence[int], optional): The image's classes (0-based
            foreground indices); default the classes with a non-zero map.
        crf_powers (Sequence[float]): Background exponents of the
            low- and high-alpha CRFs. Defaults to (4, 32).
        crf_cfg (dict, optional): :func:`dense_crf` kwargs; default the
            authors' training CRF (:data:`RRM_TRAIN_CRF`).
        **rule_kwargs: :func:`reliable_region_rule` arguments.

    Returns:
        Tensor: int64 (H, W) labels 0..K or ``ignore_index`` (on ``cams``'
        device).
    """
    k, h, w = cams.shape
    if img.shape[:2] != (h, w):
        raise ValueError(f'image {img.shape[:2]} and CAMs {(h, w)} differ '
                         'in size')
    if present is None:
        present = [c for c in range(k) if bool(cams[c].amax() > 0)]
    present = sorted(int(c) for c in present)
    crf_cfg = dict(RRM_TRAIN_CRF, **(crf_cfg or {}))
    fg = cams[present].detach().float().cpu()
    img = np.ascontiguousarray(img.astype(np.uint8))
    outs = []
    for power in crf_powers:
        bg = (1 - fg.amax(0, keepdim=True)).clamp(min=0)**power if len(
            present) else torch.ones(1, h, w)
        q = dense_crf(img, torch.cat([bg, fg]).numpy(), **crf_cfg)
        full = torch.zeros(k + 1, h, w)
        full[[0] + [c + 1 for c in present]] = torch.from_numpy(q)
        outs.append(full)
    label = reliable_region_rule(cams.detach().float().cpu(), outs[0],
                                 outs[1], **rule_kwargs)
    return label.to(cams.device)


@TASK_UTILS.register_module()
class ReliableRegionLabeler:
    """Batch reliable-region labels from CAMs (RRM), every constant an
    argument (defaults: the authors').

    Args:
        bg_power (float): Background exponent of the CAM argmax. 32.
        crf_powers (Sequence[float]): Low/high CRF exponents. (4, 32).
        cam_floor (float): Scores counted for the percentile. 0.1.
        fg_percentile (float): Cut position (top 1 - 0.6 = 40 % kept). 0.6.
        bg_sure (float): Sure background score. 0.8.
        crf_conf (float): Sure CRF probability. 0.8.
        crf_cfg (dict, optional): :func:`dense_crf` kwargs over
            :data:`RRM_TRAIN_CRF`.
        ignore_index (int): 255.
    """

    def __init__(self,
                 bg_power: float = 32,
                 crf_powers: Sequence[float] = (4, 32),
                 cam_floor: float = 0.1,
                 fg_percentile: float = 0.6,
                 bg_sure: float = 0.8,
                 crf_conf: float = 0.8,
                 crf_cfg: Optional[dict] = None,
                 ignore_index: int = 255):
        if len(crf_powers) != 2:
            raise ValueError('ReliableRegionLabeler: crf_powers must be '
                             f'(low, high), got {crf_powers}')
        if not 0 <= fg_percentile < 1:
            raise ValueError('ReliableRegionLabeler: fg_percentile must be '
                             f'in [0, 1), got {fg_percentile}')
        self.crf_powers = tuple(crf_powers)
        self.crf_cfg = crf_cfg
        self.rule = dict(bg_power=bg_power, cam_floor=cam_floor,
                         fg_percentile=fg_percentile, bg_sure=bg_sure,
                         crf_conf=crf_conf, ignore_index=ignore_index)

    def __call__(self, cams: torch.Tensor, images: torch.Tensor,
                 labels: torch.Tensor) -> torch.Tensor:
        """Labels of a batch.

        Args:
            cams (Tensor): (B, K, H, W) CAMs in [0, 1], absent classes zero.
            images (Tensor): (B, 3, H, W) pixel values 0-255.
            labels (Tensor): (B, K) image labels in {0, 1}.

        Returns:
            Tensor: int64 (B, H, W) on ``cams``' device.
        """
        imgs = images.detach().clamp(0, 255).round().to(
            torch.uint8).permute(0, 2, 3, 1).cpu().numpy()
        out = []
        for cam, img, lab in zip(cams, imgs, labels):
            present = torch.nonzero(lab > 0).flatten().tolist()
            out.append(
                reliable_region_label(cam, img, present, self.crf_powers,
                                      self.crf_cfg, **self.rule))
        return torch.stack(out)
