"""The DRS authors' self-training term for DeepLab on pseudo labels."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.registry import MODELS

from ..utils.cam import stack_image_labels


def image_tags(data_samples, num_classes: int, device=None) -> torch.Tensor:
    """(B, num_classes) {0, 1} candidate classes: background (channel 0)
    plus each image's tags (``gt_img_labels``, foreground classes).

    Raises ``KeyError`` naming the image when a sample has no tags.
    """
    fg = stack_image_labels(data_samples, num_classes - 1, device)
    return torch.cat([fg.new_ones(fg.shape[0], 1), fg], dim=1)


@MODELS.register_module()
class SelfTrainingLoss(nn.Module):
    """Cross-entropy on the network's own predictions, restricted to the
    image's classes (the DRS authors' DeepLab-V2 training, ``train.py``).

    The target of every pixel is the argmax of the detached logits over the
    image's candidate classes (background + the image-level tags): the
    network is trained towards its own confident labelling, which spreads
    labels into the pixels the pseudo labels ignore (255) and keeps classes
    the image does not contain out of the prediction. The authors add it,
    with weight 1, to the cross-entropy on the pseudo labels of each
    DeepLab-V2 output.

    An extra loss of :class:`~mmdrs.models.WSSSEncoderDecoder` (protocol in
    :mod:`mmdrs.models.losses`).

    Args:
        mask (str): How absent classes are removed before the argmax:
            ``'multiply'`` (the authors': their logits are multiplied by 0,
            so where every candidate's logit is negative an absent class can
            still win) or ``'exclude'`` (their logits set to -inf).
        ignore_padding (bool): Leave the batch padding out of the mean. The
            authors' target has no ignored pixels, so padding counts
            (default False).
        loss_weight (float): Weight. Defaults to 1.0.
        loss_name (str): Log name. Defaults to ``'loss_self'``.
    """

    def __init__(self,
                 mask: str = 'multiply',
                 ignore_padding: bool = False,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_self'):
        super().__init__()
        if mask not in ('multiply', 'exclude'):
            raise ValueError("mask must be 'multiply' or 'exclude', got "
                             f'{mask!r}')
        self.mask = mask
        self.ignore_padding = ignore_padding
        self.loss_weight = loss_weight
        self._loss_name = loss_name

    @property
    def loss_name(self) -> str:
        return self._loss_name

    def targets(self, seg_logits: torch.Tensor,
                tags: torch.Tensor) -> torch.Tensor:
        """Self-training labels (B, H, W) from logits and (B, C) tags."""
        logits = seg_logits.detach()
        t = tags.to(logits.dtype)[:, :, None, None]
        if self.mask == 'multiply':
            return (logits * t).argmax(1)
        return logits.masked_fill(t == 0, float('-inf')).argmax(1)

    def forward(self,
                seg_logits: torch.Tensor,
                seg_label: torch.Tensor,
                data_samples,
                valid_mask: Optional[torch.Tensor] = None,
                **kwargs) -> torch.Tensor:
        tags = image_tags(data_samples, seg_logits.shape[1],
                          seg_logits.device)
        target = self.targets(seg_logits, tags)
        if self.ignore_padding and valid_mask is not None:
            target = target.masked_fill(~valid_mask, 255)
        return self.loss_weight * F.cross_entropy(
            seg_logits, target, ignore_index=255)
