"""Train-step time of the DRS classifier with and without DRS.

Builds the classifier of a config (no pretrained weights are loaded) as
plain CAM, fixed-delta DRS and learnable DRS, plus learnable DRS computed
the paper's step-by-step way (ReLU -> global max -> expand -> min, "naive"),
and times full training steps (forward, backward, SGD update) on random
data. Prints the median step time of each and its ratio to the plain model.
Goals: VGG-16 D1 (paper layout) DRS / no-DRS <= 1.05; EfficientNet-Lite0 with
DRS on every ReLU6 <= 1.10.

Usage:
    python tools/benchmarks/drs_train_step.py --backbone vgg16 \
        [--size 320] [--batch 5] [--width 1.0] [--steps 5] [--device cpu]
    python tools/benchmarks/drs_train_step.py --backbone efficientnet \
        [--placement all|last-stage] [--size 112] [--batch 16]
"""
import argparse
import os.path as osp
import sys
import time

REPO = osp.join(osp.dirname(osp.abspath(__file__)), '..', '..')
sys.path.insert(0, REPO)

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmseg.registry import MODELS  # noqa: E402

import mmdrs  # noqa: E402,F401
from mmdrs.models import DRS, drs_reference  # noqa: E402


class NaiveDRS(torch.nn.Module):
    """The paper's formulation of a :class:`DRS`, for comparison."""

    def __init__(self, drs: DRS):
        super().__init__()
        self.drs = drs

    def forward(self, x):
        d = self.drs
        idx = d._call % len(d.active_calls)
        d._call += 1
        act = F.relu6 if d.act == 'relu6' else F.relu
        if not d.active_calls[idx]:
            return act(x)
        if d.learnable:
            delta = torch.sigmoid(d.suppression_controller[idx](
                act(x).mean((2, 3))))[..., None, None]
        else:
            delta = d.delta
        if d.act == 'relu6':
            x = F.relu6(x)
        return drs_reference(x, delta)


def build(args, variant):
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
    # delta per variant, set explicitly for backbone and head (independent
    # of the configs' own defaults)
    drs = {
        'no-drs': None,
        'fixed': dict(delta=0.55)
    }.get(variant, dict(delta='learnable'))
    cfg.model.backbone.drs_cfg = drs
    cfg.model.cam_head.drs_cfg = drs
    model = MODELS.build(cfg.model)
    if variant == 'naive':
        for parent in list(model.modules()):
            for n, child in list(parent.named_children()):
                if isinstance(child, DRS):
                    setattr(parent, n, NaiveDRS(child))
        for m in model.modules():  # the wrapper resets counters on DRS only
            if hasattr(m, '_drs_list'):
                m._drs_list = [x.drs for x in model.modules()
                               if isinstance(x, NaiveDRS)]
    return model


def time_steps(model, args):
    dev = torch.device(args.device)
    model = model.to(dev).train()
    opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
    x = torch.randn(args.batch, 3, args.size, args.size, device=dev)
    labels = (torch.rand(args.batch, 20, device=dev) > 0.8).float()
    times = []
    for i in range(args.warmup + args.steps):
        if dev.type == 'cuda':
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        loss = model.cam_head.loss(model.class_maps(x), labels)['loss_cls']
        opt.zero_grad()
        loss.backward()
        opt.step()
        if dev.type == 'cuda':
            torch.cuda.synchronize()
        if i >= args.warmup:
            times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2]


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--backbone', choices=['vgg16', 'efficientnet'],
                   default='vgg16')
    p.add_argument('--placement', choices=['all', 'last-stage'],
                   default='all', help='EfficientNet: where DRS goes')
    p.add_argument('--size', type=int, default=None)
    p.add_argument('--batch', type=int, default=None)
    p.add_argument('--width', type=float, default=1.0, help='VGG width')
    p.add_argument('--steps', type=int, default=5)
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--rounds', type=int, default=2,
                   help='interleaved repetitions of the variant sweep')
    p.add_argument('--device', default='cpu')
    args = p.parse_args()
    vgg = args.backbone == 'vgg16'
    args.size = args.size or (320 if vgg else 112)
    args.batch = args.batch or (5 if vgg else 16)
    init_default_scope('mmseg')
    torch.manual_seed(0)
    desc = f'{args.backbone}' + ('' if vgg else f' ({args.placement})')
    print(f'{desc} classifier, batch {args.batch}, {args.size}x{args.size}, '
          f'{args.device}, median of {args.steps} steps, best of '
          f'{args.rounds} interleaved rounds')
    variants = ('no-drs', 'fixed', 'learnable', 'naive')
    models = {v: build(args, v) for v in variants}
    res = {v: float('inf') for v in variants}
    for _ in range(args.rounds):
        for v in variants:
            res[v] = min(res[v], time_steps(models[v], args))
    base = res['no-drs']
    for v, t in res.items():
        print(f'{v:>10}: {t * 1000:8.1f} ms/step   ratio to no-DRS '
              f'{t / base:5.3f}')
    print(f'learnable DRS, fused vs naive: naive is '
          f'{res["naive"] / res["learnable"]:.3f}x the fused time')


if __name__ == '__main__':
    main()
