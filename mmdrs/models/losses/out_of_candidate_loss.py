"""Out-of-candidate rectification (OCR, Cheng et al., CVPR 2023)."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.registry import MODELS

from .self_training_loss import image_tags

_NEG = -1e4  # "minus infinity" that keeps logsumexp finite in fp16 too


@MODELS.register_module()
class OutOfCandidateLoss(nn.Module):
    """Push pixels predicted outside the image's candidate classes back in.

    The candidate set of an image is background plus its image-level tags
    (``gt_img_labels``; take them from the whole image, before any crop).
    A pixel whose top class is not a candidate is *out of candidate* (OC).
    Per pixel, the classes split into an in-candidate group IC and an OC
    group, and a group-ranking loss asks every selected IC score to beat
    every selected OC score by ``margin``::

        loss = softplus( logsumexp_{o in OC'} s_o
                         + logsumexp_{i in IC'} (-s_i) + margin )
             = log(1 + sum_{i, o} exp(s_o - s_i + margin))

    (for one class per group: ``log(1 + exp(s_o - s_i + margin))``).

    What follows the authors and what is our reading: no official code
    exists (shared/reference/wsss_methods.md §2). The pairwise
    softplus-of-logsumexp form, background in the IC group, top-1 of each
    group (``ic_mode='top1'``, ``oc_topk=1``), the adaptive IC subset
    (``'above_background'``: the candidates scored at or above background;
    background alone if it is the top candidate) and ``margin`` come from
    the first author's prototype (``deeplabv1_can.py`` /
    ``deeplabv1_seam_can.py``). The prototype averages the loss over all
    pixels (``pixels='all'``); the default here applies it only to the
    pixels at risk, where the top OC score plus ``margin`` exceeds the top
    IC score (``pixels='oc'``: exactly the OC pixels at margin 0), our
    reading of the paper's abstract ("pixels predicted as out-of-candidate
    classes are rectified"), so it vanishes once no pixel is OC. The paper's
    "prior annotation correlation" split is not known and not implemented.

    An extra loss of :class:`~mmdrs.models.WSSSEncoderDecoder` (protocol in
    :mod:`mmdrs.models.losses`). The mean is over the image pixels (batch
    padding excluded); pixels outside ``pixels`` contribute zero.

    Args:
        ic_mode (str): IC' = ``'top1'`` (the top candidate), ``'all'``
            (every candidate) or ``'above_background'`` (adaptive).
        oc_topk (int): OC' = the top-k non-candidates; 0 = all of them.
        margin (float): Required gap between the groups.
        pixels (str): ``'oc'`` (pixels at risk) or ``'all'`` (prototype).
        skip_ignored (bool): Also leave out pixels whose pseudo label is
            ignored (255). Default False: the tags, not the labels, define
            the candidates.
        resolution (str): Where the segmentor computes it: ``'logits'``
            (default: the decoder's output as it is, padding mask and labels
            resized to it; a 16th of the pixels of a stride-4 head, so the
            loss costs next to nothing) or ``'labels'`` (logits upsampled to
            the labels, as the cross-entropy of mmseg). The two agree where
            the logits are at the labels' size.
        loss_weight (float): Weight. Defaults to 1.0.
        loss_name (str): Log name. Defaults to ``'loss_ocr'``.
    """

    def __init__(self,
                 ic_mode: str = 'top1',
                 oc_topk: int = 1,
                 margin: float = 0.0,
                 pixels: str = 'oc',
                 skip_ignored: bool = False,
                 resolution: str = 'logits',
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_ocr'):
        super().__init__()
        if ic_mode not in ('top1', 'all', 'above_background'):
            raise ValueError("ic_mode must be 'top1', 'all' or "
                             f"'above_background', got {ic_mode!r}")
        if pixels not in ('oc', 'all'):
            raise ValueError(f"pixels must be 'oc' or 'all', got {pixels!r}")
        if oc_topk < 0:
            raise ValueError(f'oc_topk must be >= 0, got {oc_topk}')
        if resolution not in ('logits', 'labels'):
            raise ValueError("resolution must be 'logits' or 'labels', "
                             f'got {resolution!r}')
        self.resolution = resolution
        self.ic_mode = ic_mode
        self.oc_topk = oc_topk
        self.margin = margin
        self.pixels = pixels
        self.skip_ignored = skip_ignored
        self.loss_weight = loss_weight
        self._loss_name = loss_name

    @property
    def loss_name(self) -> str:
        return self._loss_name

    def pixel_losses(self, seg_logits: torch.Tensor,
                     tags: torch.Tensor) -> torch.Tensor:
        """Per-pixel loss (B, H, W) from logits and (B, C) candidate tags
        (column 0 = background); zero where ``pixels`` excludes a pixel."""
        s = seg_logits.float()
        cand = tags.bool()[:, :, None, None].expand_as(s)
        neg = s.new_tensor(_NEG)
        ic = torch.where(cand, s, neg)
        oc = torch.where(cand, neg, s)
        has_oc = (~cand).any(1)  # (B, H, W): some class is not a candidate
        top_ic = ic.amax(1)
        top_oc = oc.amax(1)
        if self.ic_mode == 'top1':
            ic_term = -top_ic
        else:
            keep = cand
            if self.ic_mode == 'above_background':
                keep = cand & (s >= s[:, :1])
            ic_term = torch.logsumexp(torch.where(keep, -s, neg), 1)
        k = oc.shape[1] if self.oc_topk == 0 else min(self.oc_topk,
                                                      oc.shape[1])
        oc_term = top_oc if k == 1 else torch.logsumexp(
            oc.topk(k, dim=1).values, 1)
        loss = F.softplus(oc_term + ic_term + self.margin)
        active = has_oc
        if self.pixels == 'oc':
            active = active & (top_oc + self.margin > top_ic)
        return torch.where(active, loss, loss.new_zeros(()))

    def forward(self,
                seg_logits: torch.Tensor,
                seg_label: Optional[torch.Tensor],
                data_samples,
                valid_mask: Optional[torch.Tensor] = None,
                ignore_index: int = 255,
                **kwargs) -> torch.Tensor:
        tags = image_tags(data_samples, seg_logits.shape[1],
                          seg_logits.device)
        loss = self.pixel_losses(seg_logits, tags)
        keep = torch.ones_like(loss, dtype=torch.bool)
        if valid_mask is not None:
            keep &= valid_mask
        if self.skip_ignored and seg_label is not None:
            keep &= seg_label != ignore_index
        n = keep.sum().clamp(min=1)
        return self.loss_weight * (loss * keep).sum() / n
