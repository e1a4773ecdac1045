"""Training-step cost of extra segmentation losses (OCR, self-training).

Builds a segmentation config as is and with each extra loss
(``WSSSEncoderDecoder(extra_losses=[...])``), and times full training
steps (forward, losses, backward, SGD update) on random images, labels and
tags. Rounds are interleaved (plain, OCR, self-training, plain, ...) so
machine load drifts hit every variant alike; the median of each variant's
rounds and its ratio to the plain step are printed, with the spread (min -
max of the per-round ratios)::

    python tools/benchmarks/seg_loss_step.py \\
        [--config configs/drs/toy/toy_deeplabv3plus_pseudo.py] \\
        [--size 112] [--batch 8] [--rounds 7] [--threads 2]
"""
import argparse
import os.path as osp
import statistics
import sys
import time

REPO = osp.join(osp.dirname(osp.abspath(__file__)), '..', '..')
sys.path.insert(0, REPO)

import torch  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmengine.structures import PixelData  # noqa: E402
from mmseg.registry import MODELS  # noqa: E402
from mmseg.structures import SegDataSample  # noqa: E402

import mmdrs  # noqa: E402,F401

EXTRA = {
    'plain': None,
    'ocr': [dict(type='OutOfCandidateLoss')],
    'self-training': [dict(type='SelfTrainingLoss')],
}


def build(cfg, extra):
    model_cfg = dict(cfg.model)
    model_cfg['backbone'] = dict(model_cfg['backbone'], init_cfg=None)
    if extra is not None:
        model_cfg.update(type='WSSSEncoderDecoder', extra_losses=extra)
    torch.manual_seed(0)
    model = MODELS.build(model_cfg)
    model.train()
    return model


def batch(n, size, num_classes):
    g = torch.Generator().manual_seed(1)
    x = torch.randn(n, 3, size, size, generator=g)
    samples = []
    for _ in range(n):
        ds = SegDataSample(metainfo=dict(img_shape=(size, size),
                                         pad_shape=(size, size),
                                         padding_size=[0, 0, 0, 0]))
        ds.gt_sem_seg = PixelData(data=torch.randint(
            0, num_classes, (1, size, size), generator=g))
        tags = torch.zeros(num_classes - 1, dtype=torch.uint8)
        tags[torch.randint(0, num_classes - 1, (2, ), generator=g)] = 1
        ds.gt_img_labels = tags
        samples.append(ds)
    return x, samples


def step(model, opt, x, samples):
    t0 = time.perf_counter()
    losses = model.loss(x, samples)
    loss = sum(v for k, v in losses.items() if 'loss' in k)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return time.perf_counter() - t0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--config',
                   default='configs/drs/toy/toy_deeplabv3plus_pseudo.py')
    p.add_argument('--size', type=int, default=112)
    p.add_argument('--batch', type=int, default=8)
    p.add_argument('--steps', type=int, default=3, help='steps per round')
    p.add_argument('--rounds', type=int, default=7)
    p.add_argument('--threads', type=int, default=2)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    cfg = Config.fromfile(osp.join(REPO, args.config))
    init_default_scope('mmseg')
    models = {k: build(cfg, v) for k, v in EXTRA.items()}
    opts = {k: torch.optim.SGD(m.parameters(), lr=1e-3)
            for k, m in models.items()}
    x, samples = batch(args.batch, args.size, cfg.model.decode_head.num_classes)
    for k in models:  # warm-up
        step(models[k], opts[k], x, samples)
    times = {k: [] for k in models}
    for _ in range(args.rounds):
        for k in models:
            times[k].append(min(step(models[k], opts[k], x, samples)
                                for _ in range(args.steps)))
    print(f'{args.config}, batch {args.batch} x {args.size}^2, '
          f'{args.threads} threads, {args.rounds} interleaved rounds '
          f'(best of {args.steps} steps each):')
    base = statistics.median(times['plain'])
    for k, ts in times.items():
        ratios = [t / b for t, b in zip(ts, times['plain'])]
        print(f'  {k:14s} {1000 * statistics.median(ts):7.1f} ms/step  '
              f'{statistics.median(ts) / base:.3f}x  (per-round ratios '
              f'{min(ratios):.3f}-{max(ratios):.3f})')


if __name__ == '__main__':
    main()
