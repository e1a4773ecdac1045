"""``drs`` mode: the DRS classifier's variants against the plain network.

``--backbone vgg16`` is ``configs/drs/voc_cls.py`` (DRS after all 16
convs), ``efficientnet`` is ``voc_cls_efficientnet-lite0.py`` (DRS on every
ReLU6 or on the last stage); variant names say the δ (``fixed`` /
``learnable``) and the implementation (see ``train_step.py``'s docstring).
"""
import os.path as osp

import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmseg.registry import MODELS

from .core import REPO

#: the reference first
VARIANTS = ('no-drs', 'fixed', 'learnable', 'fixed-inplace',
            'learnable-inplace', 'fixed-eager', 'learnable-eager',
            'fixed-native', 'learnable-native', 'fixed-native-inplace',
            'learnable-native-inplace', 'fixed-default', 'learnable-default',
            'naive')
DEFAULT_VARIANTS = ('no-drs', 'fixed', 'learnable', 'fixed-inplace',
                    'learnable-inplace', 'fixed-default', 'learnable-default',
                    'naive')


class _Naive(torch.nn.Module):
    """A :class:`DRS` computed the paper's step-by-step way (autograd)."""

    def __init__(self, drs):
        super().__init__()
        self.drs = drs

    def forward(self, x):
        from mmdrs.models import drs_reference
        d = self.drs
        idx = d._call % len(d.active_calls)
        d._call += 1
        act = F.relu6 if d.act == 'relu6' else F.relu
        if not d.active_calls[idx]:
            return act(x)
        delta = d.delta
        if d.learnable:
            fc = d.suppression_controller[idx]
            delta = torch.sigmoid(fc(act(x).mean((2, 3))))[..., None, None]
        if d.act == 'relu6':
            x = F.relu6(x)
        return drs_reference(x, delta)


def _drs_cfg(variant: str):
    """The ``drs_cfg`` of a variant (None: the plain network)."""
    if variant == 'no-drs':
        return None
    kind, _, how = variant.partition('-')
    # delta explicit, whatever the configs' default
    drs = dict(delta=0.55 if kind == 'fixed' else 'learnable')
    if how != 'default':  # default: impl 'auto', in place inherited
        impl = how.partition('-')[0]
        drs['impl'] = impl if impl in ('eager', 'native') else 'compiled'
        drs['inplace'] = how.endswith('inplace')
    return drs


def build_drs(args, variant: str):
    """The DRS classifier of ``variant`` and its loss on a random batch.

    Args:
        args (argparse.Namespace): ``backbone``, ``width`` (VGG),
            ``placement`` (EfficientNet), ``batch``, ``size``, ``device``.
        variant (str): One of :data:`VARIANTS`.

    Returns:
        tuple: The model and ``loss(model)``.
    """
    from mmdrs.models import DRS
    if args.backbone == 'vgg16':
        cfg = Config.fromfile(osp.join(REPO, 'configs/drs/voc_cls.py'))
        inner = cfg.model.backbone.backbone
        inner.width = args.width
        ch = int(round(512 * args.width))
        cfg.model.cam_head.update(in_channels=ch, channels=ch)
    else:
        cfg = Config.fromfile(
            osp.join(REPO, 'configs/drs/voc_cls_efficientnet-lite0.py'))
        inner = cfg.model.backbone.backbone
        if args.placement == 'all':
            cfg.model.backbone.targets = ['*']
            cfg.model.backbone.pop('call_indices', None)
        cfg.model.cam_head.channels = 256
    inner.init_cfg = None
    drs = _drs_cfg(variant)
    cfg.model.backbone.drs_cfg = drs
    cfg.model.cam_head.drs_cfg = drs
    model = MODELS.build(cfg.model)
    if variant == 'naive':
        for parent in list(model.modules()):
            for n, child in list(parent.named_children()):
                if isinstance(child, DRS):
                    setattr(parent, n, _Naive(child))
        for m in model.modules():  # the wrapper counts calls on DRS only
            if hasattr(m, '_drs_list'):
                m._drs_list = [x.drs for x in model.modules()
                               if isinstance(x, _Naive)]
    g = torch.Generator().manual_seed(0)
    x = torch.randn(args.batch, 3, args.size, args.size,
                    generator=g).to(args.device)
    labels = (torch.rand(args.batch, 20, generator=g) > 0.8).float().to(
        args.device)
    return model, lambda m: m.cam_head.loss(m.class_maps(x), labels)[
        'loss_cls']
