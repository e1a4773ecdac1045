"""RRM's segmentation branch (Zhang et al., AAAI 2020)."""
import torch
import torch.nn as nn
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.registry import MODELS


@MODELS.register_module()
class RRMHead(BaseDecodeHead):
    """Two 3x3 dilated convolutions: ``in_channels`` -> ``channels`` (ReLU)
    -> ``num_classes`` (RRM's ``fc8_seg_conv1/2``: dilation 12, 512
    channels, biases, Xavier-uniform init), on the classifier's feature.

    Args:
        dilation (int): Of both convolutions. Defaults to 12.
        **kwargs: ``BaseDecodeHead`` arguments (``in_channels``,
            ``channels``, ``num_classes``, ``loss_decode`` ...).
    """

    def __init__(self, dilation: int = 12, **kwargs):
        kwargs.setdefault('dropout_ratio', 0)
        kwargs.setdefault('init_cfg',
                          dict(type='Xavier', layer='Conv2d',
                               distribution='uniform'))
        super().__init__(**kwargs)
        del self.conv_seg  # the second conv predicts the classes
        self.conv1 = nn.Conv2d(self.in_channels, self.channels, 3,
                               padding=dilation, dilation=dilation)
        self.cls = nn.Conv2d(self.channels, self.out_channels, 3,
                             padding=dilation, dilation=dilation)

    def forward(self, inputs) -> torch.Tensor:
        x = self._transform_inputs(inputs)
        return self.cls(torch.relu(self.conv1(x)))
