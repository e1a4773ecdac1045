"""DeepLab-V2's ASPP head (the DRS paper's segmentation network)."""
from typing import Sequence

import torch
import torch.nn as nn
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.registry import MODELS


@MODELS.register_module()
class DeepLabV2Head(BaseDecodeHead):
    """ASPP of DeepLab-V2 (ResNet-101 version): one 3x3 convolution per
    dilation rate straight to the class scores, outputs summed.

    Chen et al., "DeepLab: Semantic Image Segmentation with Deep
    Convolutional Nets, Atrous Convolution, and Fully Connected CRFs"
    (TPAMI 2018); rates 6/12/18/24, weights N(0, 0.01), zero bias, no
    normalisation, no dropout. mmseg has DeepLab-V3/V3+ only.

    Args:
        dilations (Sequence[int]): Rates. Defaults to (6, 12, 18, 24).
        **kwargs: ``BaseDecodeHead`` arguments (``in_channels``,
            ``num_classes``, ``in_index``, ``loss_decode`` ...);
            ``channels`` is unused (defaults to ``num_classes``).
    """

    def __init__(self, dilations: Sequence[int] = (6, 12, 18, 24), **kwargs):
        kwargs.setdefault('channels', kwargs.get('num_classes', 21))
        kwargs.setdefault('dropout_ratio', 0)
        kwargs.setdefault(
            'init_cfg', dict(type='Normal', layer='Conv2d', std=0.01,
                             bias=0))
        super().__init__(**kwargs)
        del self.conv_seg  # the branches predict the classes themselves
        self.dilations = tuple(dilations)
        self.aspp = nn.ModuleList(
            nn.Conv2d(self.in_channels, self.out_channels, 3, padding=d,
                      dilation=d) for d in self.dilations)

    def forward(self, inputs) -> torch.Tensor:
        x = self._transform_inputs(inputs)
        if self.dropout is not None:
            x = self.dropout(x)
        out = self.aspp[0](x)
        for conv in self.aspp[1:]:
            out = out + conv(x)
        return out
