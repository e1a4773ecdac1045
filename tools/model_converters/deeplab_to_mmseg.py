# Copyright (c) mmdrs contributors.
"""Convert a deeplab-pytorch DeepLab-v1/v2 ResNet checkpoint to mmseg keys.

The DRS paper's DeepLab-V2 starts from the COCO-pretrained DeepLab-v1
ResNet-101 that kazuto1011/deeplab-pytorch converts from the DeepLab
authors' caffemodel (``deeplabv1_resnet101-coco.pth``; the DRS authors'
README: V2 does not reproduce without it). This maps its keys onto
:class:`~mmdrs.models.MSRAResNet` (``backbone.``) and, where shapes match,
:class:`~mmdrs.models.DeepLabV2Head` (``decode_head.aspp.``)::

    python tools/model_converters/deeplab_to_mmseg.py \\
        deeplabv1_resnet101-coco.pth \\
        work_dirs/pretrained/deeplabv1_resnet101-coco_mmseg.pth

then ``load_from`` it (``configs/drs/deeplabv2_r101-d8_voc12aug_pseudo_paper
.py`` does). deeplab-pytorch's layout: ``layer1`` is the stem
(``conv1.conv``, ``conv1.bn``), ``layer2``-``layer5`` are the residual
stages with blocks ``blockN`` of ``reduce`` / ``conv3x3`` / ``increase``
(each ``.conv`` + ``.bn``) and ``shortcut``; the classifier is ``aspp.cI``
(v2) or ``fc`` (v1, dropped: its classes are COCO's).
"""
import argparse
import os
import os.path as osp
import re
import sys
from collections import OrderedDict

import torch

_UNIT = {'reduce': '1', 'conv3x3': '2', 'increase': '3'}


def convert_key(key: str):
    """mmseg key of a deeplab-pytorch key, or None for keys to drop."""
    key = re.sub(r'^(module\.)?(base\.)?', '', key)
    m = re.fullmatch(r'layer1\.conv1\.(conv|bn)\.(\w+)', key)
    if m:
        return 'backbone.' + ('conv1' if m[1] == 'conv' else 'bn1') + \
            '.' + m[2]
    m = re.fullmatch(r'layer([2-5])\.block(\d+)\.(\w+)\.(conv|bn)\.(\w+)',
                     key)
    if m:
        stage, block, unit, kind, leaf = m.groups()
        prefix = f'backbone.layer{int(stage) - 1}.{int(block) - 1}.'
        if unit == 'shortcut':
            return prefix + ('downsample.0.' if kind == 'conv' else
                             'downsample.1.') + leaf
        if unit in _UNIT:
            return prefix + ('conv' if kind == 'conv' else 'bn') + \
                _UNIT[unit] + '.' + leaf
    m = re.fullmatch(r'aspp\.c(\d+)\.(weight|bias)', key)
    if m:
        return f'decode_head.aspp.{m[1]}.{m[2]}'
    if re.fullmatch(r'fc\.(weight|bias)', key):
        return None
    raise KeyError(f'unexpected key {key!r} in a deeplab-pytorch ResNet '
                   'checkpoint')


def convert(state_dict: dict, num_classes: int = None) -> OrderedDict:
    """Convert a state dict; ASPP weights with another number of classes
    than ``num_classes`` are dropped (the head is then trained from its own
    init, as deeplab-pytorch's ``strict=False`` load does)."""
    out = OrderedDict()
    for k, v in state_dict.items():
        new = convert_key(k)
        if new is None:
            continue
        if new.startswith('decode_head.') and num_classes is not None and \
                v.shape[0] != num_classes:
            continue
        out[new] = v
    # mmseg's BatchNorm layers have a counter the caffe weights lack
    for k in list(out):
        if k.endswith('.running_var'):
            out.setdefault(k[:-len('running_var')] + 'num_batches_tracked',
                           torch.tensor(0))
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('src', help='deeplab-pytorch checkpoint (.pth)')
    p.add_argument('dst', help='output checkpoint for load_from')
    p.add_argument('--num-classes', type=int, default=21,
                   help='classes of the target head (keeps ASPP weights '
                   'only if they match; default 21)')
    args = p.parse_args(argv)
    if not osp.isfile(args.src):
        raise FileNotFoundError(f'checkpoint {args.src} not found')
    ckpt = torch.load(args.src, map_location='cpu', weights_only=False)
    sd = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else ckpt
    out = convert(sd, args.num_classes)
    os.makedirs(osp.dirname(osp.abspath(args.dst)), exist_ok=True)
    sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..',
                                '..'))
    from mmdrs.utils.atomic import atomic_write
    atomic_write(args.dst,
                 lambda tmp: torch.save(dict(state_dict=out, meta={}), tmp))
    n_head = sum(k.startswith('decode_head.') for k in out)
    print(f'{len(out)} tensors written to {args.dst} ({n_head} of the head)')


if __name__ == '__main__':
    main()
