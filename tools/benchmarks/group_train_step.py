"""Train-step time of Group-WSSS vs the plain CAM classifier.

Builds the toy classifiers (configs/drs/toy/toy_cls_no-drs.py and
configs/group_wsss/toy_group_cls.py: EfficientNet-Lite0, output stride 8;
no pretrained weights are loaded) or the VOC paper models (``--model vgg16``:
configs/drs/voc_cls_no-drs.py vs configs/group_wsss/group_vgg16_d1_voc.py),
and times full training steps (forward, backward, SGD update) on random
images at the same batch (a whole number of groups). Prints the median step
time of each and the ratio Group / plain; the graph's share is the ratio
minus 1.

Usage:
    python tools/benchmarks/group_train_step.py [--model efficientnet]
        [--size 112] [--batch 15] [--steps 5] [--num-classes 20]
    python tools/benchmarks/group_train_step.py --model vgg16 --size 256 \
        --batch 3 --width 0.25
"""
import argparse
import os.path as osp
import sys
import time

REPO = osp.join(osp.dirname(osp.abspath(__file__)), '..', '..')
sys.path.insert(0, REPO)

import torch  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmseg.registry import MODELS  # noqa: E402
from mmseg.structures import SegDataSample  # noqa: E402

import mmdrs  # noqa: E402,F401

CONFIGS = {
    'efficientnet': ('configs/drs/toy/toy_cls_no-drs.py',
                     'configs/group_wsss/toy_group_cls.py'),
    'vgg16': ('configs/drs/voc_cls_no-drs.py',
              'configs/group_wsss/group_vgg16_d1_voc.py'),
}


def build(path, args):
    cfg = Config.fromfile(osp.join(REPO, path))
    inner = cfg.model.backbone.backbone
    inner.init_cfg = None
    if args.model == 'vgg16':
        inner.width = args.width
        ch = int(round(512 * args.width))
        cfg.model.cam_head.update(in_channels=ch, channels=ch)
    cfg.model.cam_head.num_classes = args.num_classes
    return MODELS.build(cfg.model)


def time_steps(model, args):
    model = model.train()
    opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
    x = torch.randn(args.batch, 3, args.size, args.size)
    g = 3
    samples = []
    for i in range(args.batch):
        ds = SegDataSample(metainfo=dict(group_size=g, group_member=i % g))
        lab = torch.zeros(args.num_classes, dtype=torch.uint8)
        lab[(i // g) % args.num_classes] = 1  # a group shares its label
        ds.gt_img_labels = lab
        samples.append(ds)
    times = []
    for i in range(args.warmup + args.steps):
        t0 = time.perf_counter()
        losses = model.loss(x, samples)
        loss = sum(v for k, v in losses.items() if k.startswith('loss'))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if i >= args.warmup:
            times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2]


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--model', choices=list(CONFIGS), default='efficientnet')
    p.add_argument('--size', type=int, default=None)
    p.add_argument('--batch', type=int, default=None,
                   help='images per step, a multiple of 3')
    p.add_argument('--width', type=float, default=1.0, help='VGG width')
    p.add_argument('--num-classes', type=int, default=20)
    p.add_argument('--steps', type=int, default=5)
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--rounds', type=int, default=2,
                   help='interleaved repetitions')
    args = p.parse_args()
    vgg = args.model == 'vgg16'
    args.size = args.size or (256 if vgg else 112)
    args.batch = args.batch or (3 if vgg else 15)
    if args.batch % 3:
        p.error('--batch must be a multiple of the group size 3')
    init_default_scope('mmseg')
    torch.manual_seed(0)
    plain_cfg, group_cfg = CONFIGS[args.model]
    models = dict(plain=build(plain_cfg, args), group=build(group_cfg, args))
    print(f'{args.model} classifier, batch {args.batch} ({args.batch // 3} '
          f'groups), {args.size}x{args.size}, {args.num_classes} classes, '
          f'{torch.get_num_threads()} threads, median of {args.steps} steps, '
          f'best of {args.rounds} interleaved rounds')
    res = {k: float('inf') for k in models}
    for _ in range(args.rounds):
        for k, m in models.items():
            res[k] = min(res[k], time_steps(m, args))
    for k, t in res.items():
        print(f'{k:>6}: {t * 1000:8.1f} ms/step   ratio to plain '
              f'{t / res["plain"]:5.3f}')


if __name__ == '__main__':
    main()
