"""Multi-label classification head whose class maps are the CAMs."""
import math
from typing import Optional, Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmseg.registry import MODELS

from ..layers.drs import DRS


@MODELS.register_module()
class MultiLabelCAMHead(BaseModule):
    """The DRS paper's classification head.

    ``num_convs`` convs (3x3 by default; each followed by DRS, or a ReLU
    when ``drs_cfg`` is None), then a 1x1 conv to ``num_classes`` class
    maps; logits are their global average; the loss is the multi-label
    soft margin over the foreground classes (background is not a class).

    Args:
        in_channels (int): Channels of the backbone feature used.
        channels (int): Channels of the extra convs. Defaults to 512.
        num_classes (int): Foreground classes. Defaults to 20 (VOC).
        num_convs (int): Extra convs. Defaults to 3.
        kernel_size (int): Kernel of the extra convs (odd; padded to keep
            the map size). Defaults to 3 (the paper's). Each 3x3 conv
            widens a class map's footprint by one feature cell each side,
            which is a large fraction of a small (14x14) map; 1 keeps the
            convs' capacity without that spread.
        drs_cfg (dict, optional): :class:`DRS` kwargs for the extra convs'
            activations; None for plain ReLUs. ``inplace`` defaults to True
            here, as the plain head's ``ReLU(inplace=True)``. Defaults to
            learnable DRS.
        in_index (int): Which backbone output to use. Defaults to -1.
        loss_weight (float): Weight of the classification loss.
        classifier_bias (bool): Bias of the 1x1 classifier (RRM's has
            none). Defaults to True.
        init_cfg (dict, optional): Defaults to the paper's
            N(0, sqrt(2 / (k * k * out_channels))) with zero bias.
    """

    def __init__(self,
                 in_channels: int,
                 channels: int = 512,
                 num_classes: int = 20,
                 num_convs: int = 3,
                 kernel_size: int = 3,
                 drs_cfg: Optional[dict] = dict(delta='learnable'),
                 in_index: int = -1,
                 loss_weight: float = 1.0,
                 classifier_bias: bool = True,
                 init_cfg: Optional[Union[dict, list]] = None):
        super().__init__(init_cfg=init_cfg)
        self.num_classes = num_classes
        self.in_index = in_index
        self.loss_weight = loss_weight
        if kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(f'MultiLabelCAMHead: kernel_size must be a '
                             f'positive odd number, got {kernel_size}')
        layers = []
        c = in_channels
        for _ in range(num_convs):
            layers.append(
                nn.Conv2d(c, channels, kernel_size,
                          padding=kernel_size // 2))
            layers.append(
                DRS(channels=channels, **{'inplace': True, **drs_cfg})
                if drs_cfg is not None else nn.ReLU(inplace=True))
            c = channels
        self.convs = nn.Sequential(*layers)
        self.classifier = nn.Conv2d(c, num_classes, 1, bias=classifier_bias)

    def init_weights(self) -> None:
        if self.init_cfg is not None:
            return super().init_weights()
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                k = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
                nn.init.normal_(m.weight, 0, math.sqrt(2.0 / k))
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, DRS):
                m.init_weights()
        self._is_init = True

    def forward(self, feats: Union[torch.Tensor, Sequence[torch.Tensor]]):
        """Class maps (B, num_classes, h, w) from backbone features."""
        x = feats if isinstance(feats, torch.Tensor) else feats[self.in_index]
        for m in self.convs:
            if isinstance(m, DRS):
                m.reset_calls()
        return self.classifier(self.convs(x))

    @staticmethod
    def logits(class_maps: torch.Tensor) -> torch.Tensor:
        """Image logits: global average of the class maps, (B, K)."""
        return class_maps.mean(dim=(2, 3))

    def loss(self, class_maps: torch.Tensor, labels: torch.Tensor) -> dict:
        """Multi-label soft-margin loss and accuracy against (B, K) labels."""
        logits = self.logits(class_maps)
        loss = F.multilabel_soft_margin_loss(logits, labels.to(logits.dtype))
        with torch.no_grad():
            acc = ((logits > 0) == (labels > 0)).float().mean() * 100
        return dict(loss_cls=loss * self.loss_weight, acc_cls=acc)
