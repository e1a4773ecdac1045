"""Class-activation-map (CAM) post-processing shared by every stage."""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn.functional as F


def normalize_cams(class_maps: torch.Tensor,
                   size: Optional[Tuple[int, int]] = None,
                   labels: Optional[torch.Tensor] = None,
                   eps: float = 1e-5,
                   align_corners: bool = True) -> torch.Tensor:
    """Turn raw class maps into localization maps in [0, 1].

    ReLU -> bilinear upsample to ``size`` -> divide each channel by its spatial
    max (+ ``eps``) -> zero the classes absent from ``labels`` (the paper's
    CAM normalisation).

    Args:
        class_maps (Tensor): Raw maps (B, K, h, w) before global pooling.
        size (tuple, optional): Output (H, W); ``None`` keeps (h, w).
        labels (Tensor, optional): (B, K) image labels in {0, 1}; absent
            classes are zeroed. ``None`` keeps all classes.
        eps (float): Added to the per-channel max. Defaults to 1e-5.
        align_corners (bool): Of the bilinear upsampling. Defaults to True
            (the DRS authors' ``cam_normalize``).

    Returns:
        Tensor: Maps of shape (B, K, H, W) in [0, 1].
    """
    cams = F.relu(class_maps)
    if size is not None and tuple(cams.shape[-2:]) != tuple(size):
        cams = F.interpolate(
            cams, size=size, mode='bilinear', align_corners=align_corners)
    cams = cams / (cams.amax(dim=(2, 3), keepdim=True) + eps)
    if labels is not None:
        cams = cams * labels.to(cams.dtype)[:, :, None, None]
    return cams


def cams_to_seg_logits(cams: torch.Tensor,
                       bg_score: float) -> torch.Tensor:
    """Prepend a constant background channel: (B, K, H, W) -> (B, K+1, H, W).

    ``argmax`` of the result is the usual threshold rule: a pixel is
    background unless some class map exceeds ``bg_score``.
    """
    bg = cams.new_full((cams.shape[0], 1, *cams.shape[2:]), bg_score)
    return torch.cat([bg, cams], dim=1)


def stack_image_labels(data_samples: Sequence, num_classes: int,
                       device=None) -> torch.Tensor:
    """Stack ``gt_img_labels`` of data samples into a (B, K) float tensor."""
    labels = []
    for i, ds in enumerate(data_samples):
        if 'gt_img_labels' not in ds:
            raise KeyError(
                f'data sample {i} ({ds.metainfo.get("img_path", "?")}) has '
                'no gt_img_labels: add LoadImageLabels and PackImageLabel'
                'Inputs to the pipeline')
        lab = ds.gt_img_labels
        if lab.numel() != num_classes:
            raise ValueError(
                f'{ds.metainfo.get("img_path", "?")}: image label has '
                f'{lab.numel()} classes, the model has {num_classes}')
        labels.append(lab.float())
    out = torch.stack(labels)
    return out.to(device) if device is not None else out


def channel_argmax(scores: torch.Tensor) -> torch.Tensor:
    """``scores.argmax(0)`` for a few channels, by element-wise comparisons.

    PyTorch's CPU argmax over the leading dimension of a (C, H, W) tensor
    is strided and slow (20 ms at 2 x 384 x 384 on 2 cores); for the few
    channels of an image's classes a running maximum is several times
    faster. Ties go to the first channel, as with ``argmax``.

    Returns:
        Tensor: int64 (H, W).
    """
    best = scores[0].clone()
    idx = torch.zeros(scores.shape[1:], dtype=torch.long,
                      device=scores.device)
    for c in range(1, scores.shape[0]):
        better = scores[c] > best
        idx[better] = c
        best = torch.where(better, scores[c], best)
    return idx
