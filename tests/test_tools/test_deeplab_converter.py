"""tools/model_converters/deeplab_to_mmseg.py: deeplab-pytorch's DeepLab-v2
ResNet weights give the same outputs in MSRAResNet + DeepLabV2Head."""
from collections import OrderedDict

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.registry import MODELS


class _ConvBn(nn.Sequential):
    """deeplab-pytorch's unit layout: ``conv`` + ``bn`` (+ ReLU)."""

    def __init__(self, cin, cout, k, stride, pad, dil, relu):
        super().__init__(OrderedDict(
            conv=nn.Conv2d(cin, cout, k, stride, pad, dil, bias=False),
            bn=nn.BatchNorm2d(cout)))
        self.relu = relu

    def forward(self, x):
        x = super().forward(x)
        return F.relu(x) if self.relu else x


class _Block(nn.Module):

    def __init__(self, cin, cout, stride, dil, down):
        super().__init__()
        mid = cout // 4
        self.reduce = _ConvBn(cin, mid, 1, stride, 0, 1, True)
        self.conv3x3 = _ConvBn(mid, mid, 3, 1, dil, dil, True)
        self.increase = _ConvBn(mid, cout, 1, 1, 0, 1, False)
        self.shortcut = _ConvBn(cin, cout, 1, stride, 0, 1, False) \
            if down else None

    def forward(self, x):
        h = self.increase(self.conv3x3(self.reduce(x)))
        return F.relu(h + (self.shortcut(x) if self.shortcut else x))


class _DeepLabLayout(nn.Module):
    """The key layout and computation of a DeepLab-v2 caffe ResNet (written
    for this test from the architecture's description): stem ``layer1``,
    residual stages ``layer2..5`` of ``blockN``, ASPP ``aspp.cI`` summed."""

    def __init__(self, blocks=(3, 4, 6, 3), classes=5, rates=(6, 12)):
        super().__init__()
        self.layer1 = nn.Module()
        self.layer1.conv1 = _ConvBn(3, 64, 7, 2, 3, 1, True)
        chans = [(64, 256), (256, 512), (512, 1024), (1024, 2048)]
        geom = [(1, 1), (2, 1), (1, 2), (1, 4)]  # (stride, dilation)
        for i, (n, (cin, cout), (s, d)) in enumerate(zip(blocks, chans,
                                                         geom)):
            layer = nn.Sequential(OrderedDict(
                (f'block{j + 1}',
                 _Block(cin if j == 0 else cout, cout, s if j == 0 else 1, d,
                        j == 0)) for j in range(n)))
            setattr(self, f'layer{i + 2}', layer)
        self.aspp = nn.Module()
        for i, r in enumerate(rates):
            setattr(self.aspp, f'c{i}',
                    nn.Conv2d(2048, classes, 3, 1, r, r, bias=True))
        self.rates = rates

    def forward(self, x):
        x = F.max_pool2d(self.layer1.conv1(x), 3, 2, 1, ceil_mode=True)
        for i in range(2, 6):
            x = getattr(self, f'layer{i}')(x)
        return sum(getattr(self.aspp, f'c{i}')(x)
                   for i in range(len(self.rates)))


def test_converted_weights_reproduce_the_outputs(load_tool, tmp_path):
    torch.manual_seed(0)
    src = _DeepLabLayout().eval()
    for m in src.modules():  # non-trivial BN statistics
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.1, 0.1)
    sd = {k: v for k, v in src.state_dict().items()
          if not k.endswith('num_batches_tracked')}  # as the caffe export
    torch.save(sd, tmp_path / 'deeplab.pth')
    out = tmp_path / 'mmseg.pth'
    load_tool('model_converters/deeplab_to_mmseg').main([
        str(tmp_path / 'deeplab.pth'), str(out), '--num-classes', '5'])
    model = MODELS.build(dict(
        type='EncoderDecoder',
        backbone=dict(type='MSRAResNet', depth=50, out_indices=(3, ),
                      strides=(1, 2, 1, 1), dilations=(1, 1, 2, 4)),
        decode_head=dict(type='DeepLabV2Head', in_channels=2048, in_index=0,
                         num_classes=5, dilations=(6, 12)))).eval()
    state = torch.load(out, weights_only=False)['state_dict']
    model.load_state_dict(state, strict=True)  # every key, every shape
    x = torch.randn(1, 3, 42, 42)  # even size: the ceil-mode pool matters
    with torch.no_grad():
        ref = src(x)
        got = model.decode_head(model.extract_feat(x))
    assert got.shape == ref.shape == (1, 5, 6, 6)
    torch.testing.assert_close(got, ref, atol=1e-4, rtol=1e-4)


def test_coco_classifier_is_dropped_and_unknown_keys_named(load_tool):
    tool = load_tool('model_converters/deeplab_to_mmseg')
    convert, convert_key = tool.convert, tool.convert_key
    assert convert_key('fc.weight') is None  # DeepLab-v1's COCO classifier
    assert convert_key('base.layer3.block2.shortcut.bn.running_var') == \
        'backbone.layer2.1.downsample.1.running_var'
    state = convert({'aspp.c0.weight': torch.zeros(91, 8, 3, 3),
                     'layer1.conv1.bn.running_var': torch.ones(2)},
                    num_classes=21)
    assert 'decode_head.aspp.0.weight' not in state  # 91 COCO classes
    assert 'backbone.bn1.num_batches_tracked' in state
    with pytest.raises(KeyError, match='layer9'):
        convert_key('layer9.block1.reduce.conv.weight')
