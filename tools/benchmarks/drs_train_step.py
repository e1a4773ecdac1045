"""Train-step time of the VGG-16 D1 classifier with and without DRS.

Builds the classifier of ``configs/drs/voc_cls.py`` (no pretrained weights
are loaded) three ways - plain CAM, fixed-delta DRS, learnable DRS - plus a
variant whose DRS layers use the paper's step-by-step formulation
(ReLU -> max -> expand -> min), and times full training steps (forward,
backward, SGD update) on random data. Prints the mean step time of each and
its ratio to the plain model (issue goal: DRS / no-DRS <= 1.05).

Usage:
    python tools/benchmarks/drs_train_step.py [--size 320] [--batch 5]
        [--width 1.0] [--steps 5] [--device cpu|cuda]
"""
import argparse
import os.path as osp
import sys
import time

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

import torch  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmseg.registry import MODELS  # noqa: E402

import mmdrs  # noqa: E402,F401
from mmdrs.models import DRS, drs_reference  # noqa: E402

REPO = osp.join(osp.dirname(osp.abspath(__file__)), '..', '..')


class NaiveDRS(torch.nn.Module):
    """The paper's formulation, for comparison with the fused DRS."""

    def __init__(self, drs: DRS):
        super().__init__()
        self.drs = drs

    def forward(self, x):
        d = self.drs
        if d.learnable:
            fc = d.suppression_controller[0]
            delta = torch.sigmoid(fc(torch.relu(x).mean((2, 3))))[..., None,
                                                                  None]
        else:
            delta = d.delta
        return drs_reference(x, delta)


def build(variant, width):
    name = {
        'no-drs': 'voc_cls_no-drs.py',
        'fixed': 'voc_cls_fixed-delta0.55.py'
    }.get(variant, 'voc_cls.py')
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'drs', name))
    bb = cfg.model.backbone
    inner = bb if bb.type == 'VGG16D1' else bb.backbone
    inner.width = width
    inner.init_cfg = None
    cfg.model.cam_head.in_channels = int(round(512 * width))
    cfg.model.cam_head.channels = int(round(512 * width))
    model = MODELS.build(cfg.model)
    if variant == 'naive':
        for parent in list(model.modules()):
            for n, child in list(parent.named_children()):
                if isinstance(child, DRS):
                    setattr(parent, n, NaiveDRS(child))
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
    return times[len(times) // 2]  # median


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--size', type=int, default=320)
    p.add_argument('--batch', type=int, default=5)
    p.add_argument('--width', type=float, default=1.0)
    p.add_argument('--steps', type=int, default=5)
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--device', default='cpu')
    args = p.parse_args()
    torch.manual_seed(0)
    print(f'VGG-16 D1 classifier, width {args.width}, batch {args.batch}, '
          f'{args.size}x{args.size}, {args.device}, median of {args.steps}')
    res = {}
    # interleave repetitions to be fair to machine noise
    for variant in ('no-drs', 'fixed', 'learnable', 'naive'):
        res[variant] = time_steps(build(variant, args.width), args)
    base = res['no-drs']
    for variant, t in res.items():
        print(f'{variant:>10}: {t * 1000:8.1f} ms/step   ratio to no-DRS '
              f'{t / base:5.3f}')
    print(f'fused vs naive learnable DRS: {res["naive"] / res["learnable"]:.3f}x'
          ' faster')


if __name__ == '__main__':
    main()
