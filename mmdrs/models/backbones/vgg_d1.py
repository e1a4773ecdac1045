"""VGG-16 in the "D1" layout used by DRS (and DeepLab-LargeFOV style CAMs)."""
from typing import Optional, Sequence

import torch.nn as nn
from mmengine.model import BaseModule
from mmseg.registry import MODELS

# torchvision's vgg16 `features` indices of the 13 convs; the ReLU of conv i
# sits at index + 1 and the pools at 4, 9, 16, 23, 30.
VGG16_CONV_INDICES = (0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28)
_STAGE_CONVS = ((0, 2), (5, 7), (10, 12, 14), (17, 19, 21), (24, 26, 28))


@MODELS.register_module()
class VGG16D1(BaseModule):
    """VGG-16 with output stride 8, laid out exactly like torchvision's.

    Changes from VGG-16 (the DRS paper's "D1"): pool4 becomes a 3x3 max pool
    with stride 1 and padding 1, the conv5 convs are dilated by 2 (padding 2)
    and pool5 is removed, so a 320x320 input gives 40x40 features. The
    ``features.N`` indices match torchvision's ``vgg16`` so its ImageNet
    weights load unchanged through
    ``init_cfg=dict(type='Pretrained', checkpoint='torchvision://vgg16')``
    (the classifier keys are ignored).

    ReLUs are separate ``nn.ReLU`` modules named ``features.<conv index + 1>``,
    so :class:`~mmdrs.models.DRSBackbone` can replace them by name; the stage
    of each is given by :meth:`relu_names`.

    Args:
        in_channels (int): Input channels. Defaults to 3.
        width (float): Channel multiplier (1.0 = VGG-16; smaller values give
            fast test models; pretrained weights need 1.0).
        out_indices (Sequence[int]): Stages (0-4) whose outputs are returned.
            Defaults to (4,), the conv5 block.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int = 3,
                 width: float = 1.0,
                 out_indices: Sequence[int] = (4, ),
                 init_cfg: Optional[dict] = dict(
                     type='Kaiming', layer='Conv2d', nonlinearity='relu')):
        super().__init__(init_cfg=init_cfg)
        widths = [int(round(c * width)) for c in (64, 128, 256, 512, 512)]
        layers = []
        c_in = in_channels
        stage_ends = []
        for stage, convs in enumerate(_STAGE_CONVS):
            for _ in convs:
                dil = 2 if stage == 4 else 1
                layers += [
                    nn.Conv2d(
                        c_in, widths[stage], 3, padding=dil, dilation=dil),
                    nn.ReLU(inplace=True)
                ]
                c_in = widths[stage]
            stage_ends.append(len(layers))
            if stage < 3:
                layers.append(nn.MaxPool2d(2, 2))
            elif stage == 3:
                layers.append(nn.MaxPool2d(3, 1, 1))
        self.features = nn.Sequential(*layers)
        self.out_channels = widths
        self.out_indices = tuple(out_indices)
        self._stage_ends = stage_ends
        assert [i for i, m in enumerate(self.features)
                if isinstance(m, nn.Conv2d)] == list(VGG16_CONV_INDICES)

    @staticmethod
    def relu_names(stages: Sequence[int] = (0, 1, 2, 3, 4)) -> list:
        """Module names of the ReLUs of the given stages (0-based)."""
        return [
            f'features.{i + 1}' for s in stages for i in _STAGE_CONVS[s]
        ]

    def forward(self, x):
        outs = []
        start = 0
        for stage, end in enumerate(self._stage_ends):
            for layer in self.features[start:end]:
                x = layer(x)
            if stage in self.out_indices:
                outs.append(x)
            start = end
            if stage < 4:  # the pool after the stage
                x = self.features[start](x)
                start += 1
        return tuple(outs)
