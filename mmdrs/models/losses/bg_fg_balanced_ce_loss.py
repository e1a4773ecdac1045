"""Cross-entropy with background and foreground averaged separately (RRM)."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.registry import MODELS


@MODELS.register_module()
class BgFgBalancedCELoss(nn.Module):
    """RRM's segmentation cross-entropy: the mean CE over the background
    pixels plus the mean CE over the foreground pixels, so that the (usually
    far larger) background does not outweigh the objects.

    ``reduction='sum'`` adds the two means (RRM, ``compute_joint_loss``);
    ``'mean'`` averages them (AFA/ToCo's ``get_seg_loss``). A part with no
    labelled pixel contributes 0 (plain CE would give NaN). A mmseg
    ``loss_decode`` entry.

    Args:
        reduction (str): ``'sum'`` (default) or ``'mean'``.
        bg_index (int): Background class. Defaults to 0.
        loss_weight (float): Defaults to 1.0.
        loss_name (str): Defaults to ``'loss_ce'``.
    """

    def __init__(self,
                 reduction: str = 'sum',
                 bg_index: int = 0,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_ce'):
        super().__init__()
        if reduction not in ('sum', 'mean'):
            raise ValueError("BgFgBalancedCELoss: reduction must be 'sum' or "
                             f"'mean', got {reduction!r}")
        self.reduction = reduction
        self.bg_index = bg_index
        self.loss_weight = loss_weight
        self._loss_name = loss_name

    @property
    def loss_name(self) -> str:
        return self._loss_name

    def forward(self,
                cls_score: torch.Tensor,
                label: torch.Tensor,
                weight=None,
                ignore_index: int = 255,
                **kwargs) -> torch.Tensor:
        """Loss of (B, C, H, W) logits against (B, H, W) labels."""
        if weight is not None:
            raise ValueError('BgFgBalancedCELoss does not take pixel weights')
        ce = F.cross_entropy(cls_score, label, ignore_index=ignore_index,
                             reduction='none')
        valid = label != ignore_index
        bg = valid & (label == self.bg_index)
        fg = valid & (label != self.bg_index)
        parts = [(ce * m).sum() / m.sum().clamp(min=1) for m in (bg, fg)]
        loss = parts[0] + parts[1]
        if self.reduction == 'mean':
            loss = loss / 2
        return self.loss_weight * loss
