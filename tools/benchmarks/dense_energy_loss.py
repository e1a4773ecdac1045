# Copyright (c) mmdrs contributors.
"""DenseEnergyLoss cost: ratios, not timings to keep.

At the authors' setting (21 classes, 321 x 321 crops, scale 0.5 -> 160 x
160, sigma_xy 100 -> 50, sigma_rgb 15) on one image of the given data
(resized to the crop) or a synthetic piecewise-smooth image:

* exact (O(N^2), chunked) vs fast (permutohedral lattice) form: time of a
  forward + backward, and the fast form's relative error of the energy and
  of the gradient; the uncalibrated lattice's (the authors' filter) energy
  over the exact one - the factor between their loss weight and ours;
* the dense loss (each form) vs the segmentation cross-entropy on the same
  logits (forward + backward): time ratio;
* peak memory of each at 321^2 (CUDA: max_memory_allocated; CPU: peak RSS
  growth during the step, in a fresh subprocess per variant, Linux).

    python tools/benchmarks/dense_energy_loss.py [--image PATH] \
        [--device cpu|cuda] [--batch 1] [--repeat 3]

With ``--model CONFIG CHECKPOINT``, the exact and fast forms are compared
on what a trained one-step segmentor (e.g. RRM) gives them instead: its
segmentation logits, reliable labels (gate) and crops of ``--num-images``
photos of ``--data-root``'s train split, with the config's dense-loss
settings - the energy and gradient errors per photo (mean ± std):

    python tools/benchmarks/dense_energy_loss.py --model \
        configs/rrm/cpu_rrm_efficientnet-lite0.py CKPT \
        --data-root data/voc_mini --num-images 16
"""
import argparse
import json
import os.path as osp
import subprocess
import sys
import time

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def load_image(path, size):
    import numpy as np
    from PIL import Image
    img = Image.open(path).convert('RGB').resize((size, size),
                                                 Image.BILINEAR)
    return torch.from_numpy(np.asarray(img).copy()).permute(2, 0, 1).float()


def synthetic_image(size, seed=0):
    """Piecewise-smooth colour regions plus noise, 0-255."""
    gen = torch.Generator().manual_seed(seed)
    ys, xs = torch.meshgrid(torch.arange(size), torch.arange(size),
                            indexing='ij')
    img = torch.empty(3, size, size)
    img[0] = 60 + 150 * (((ys - size / 3)**2 + (xs - size / 2)**2) <
                         (size / 4)**2)
    img[1] = 80 + 90 * (xs > 0.6 * size)
    img[2] = 40 + 120 * (ys > 0.7 * size)
    return (img + 6 * torch.randn(3, size, size, generator=gen)).clamp(
        0, 255)


def inputs(args):
    size = args.crop
    img = (synthetic_image(size) if args.image is None else load_image(
        args.image, size))
    gen = torch.Generator().manual_seed(0)
    images = img[None].repeat(args.batch, 1, 1, 1)
    logits = F.interpolate(
        torch.randn(args.batch, 21, 11, 11, generator=gen) * 3,
        size=(size, size), mode='bilinear', align_corners=False)
    label = torch.randint(0, 21, (args.batch, size, size), generator=gen)
    label[:, :, :size // 3] = 255  # a third unreliable
    dev = torch.device(args.device)
    return images.to(dev), logits.to(dev), label.to(dev)


def step(variant, images, logits, label, loss_cfg=None):
    """One forward + backward; returns (loss, grad)."""
    from mmdrs.models.losses import DenseEnergyLoss
    x = logits.clone().requires_grad_(True)
    if variant == 'ce':
        loss = F.cross_entropy(x, label, ignore_index=255)
    else:
        kw = dict(loss_cfg or {}, kernel=variant, loss_weight=1.0)
        kw.pop('type', None)
        loss = DenseEnergyLoss(**kw)(x, label, None, images=images)
    loss.backward()
    return loss.detach(), x.grad


def authors_scale(images, logits, label):
    """<S, W S> of the uncalibrated lattice (the authors' extension, same
    algorithm) over that of the exact kernel, at the loss resolution: the
    factor between the authors' loss weight and ours."""
    from mmdrs.models.losses.dense_energy_loss import pixel_features
    from mmdrs.models.utils.gaussian_filter import (PermutohedralLattice,
                                                    exact_gaussian_filter)
    small = F.interpolate(images[:1], scale_factor=0.5)
    probs = F.interpolate(logits[:1].softmax(1), scale_factor=0.5,
                          mode='bilinear', align_corners=False)
    f = pixel_features(small, 15, 50)[0]
    v = probs[0].flatten(1).T
    raw = (v * PermutohedralLattice(f).filter(v)).sum()
    return float(raw / (v * exact_gaussian_filter(f, v)).sum())


def timed(variant, args, data, repeat):
    best = float('inf')
    out = None
    for _ in range(repeat):
        if args.device == 'cuda':
            torch.cuda.synchronize()
        t = time.perf_counter()
        out = step(variant, *data)
        if args.device == 'cuda':
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - t)
    return best, out


def peak_memory(variant, args):
    """Peak extra memory (MB) of one step of ``variant``."""
    if args.device == 'cuda':
        data = inputs(args)
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
        step(variant, *data)
        return (torch.cuda.max_memory_allocated() - base) / 2**20
    cmd = [sys.executable, __file__, '--child', variant, '--crop',
           str(args.crop), '--batch', str(args.batch)]
    if args.image:
        cmd += ['--image', args.image]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def child(args):
    import mmdrs.models.losses  # noqa: F401 (imports before the baseline)
    from mmdrs.models.utils.gaussian_filter import lattice_calibration
    lattice_calibration(5)
    data = inputs(args)

    def status(key):  # kB
        with open('/proc/self/status') as f:
            return next(int(line.split()[1]) for line in f
                        if line.startswith(key + ':'))

    with open('/proc/self/clear_refs', 'w') as f:
        f.write('5')  # reset the peak RSS (VmHWM) to the current RSS
    base = status('VmRSS')
    step(args.child, *data)
    print((status('VmHWM') - base) / 1024)  # MB


def model_inputs(config, checkpoint, data_root, num):
    """(loss settings, [(images, logits, labels)]) of a trained one-step
    segmentor on the first ``num`` train photos, each resized to its
    config's crop (``model.data_preprocessor.size``):
    what its dense loss sees in training (logits at the crop, reliable
    labels of the labeler)."""
    import numpy as np
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint
    from mmseg.registry import MODELS
    from mmseg.structures import SegDataSample
    from PIL import Image

    import mmdrs  # noqa: F401 (registers the modules)
    from mmdrs.datasets import read_split
    init_default_scope('mmseg')
    cfg = Config.fromfile(config)
    losses = [c for c in cfg.model.get('extra_losses', [])
              if c['type'] == 'DenseEnergyLoss']
    if not losses:
        raise ValueError(f'{config}: model.extra_losses has no '
                         'DenseEnergyLoss')
    cfg.model.backbone.init_cfg = None
    model = MODELS.build(cfg.model)
    load_checkpoint(model, checkpoint, map_location='cpu')
    model.eval()
    pre = cfg.model.data_preprocessor
    crop = pre['size'][0]
    mean = torch.tensor(pre['mean']).view(1, 3, 1, 1)
    std = torch.tensor(pre['std']).view(1, 3, 1, 1)
    samples = []
    for i in read_split(data_root, 'train')[:num]:
        img = load_image(osp.join(data_root, 'JPEGImages', f'{i}.jpg'),
                         crop)[None]
        mask = np.asarray(Image.open(osp.join(
            data_root, 'SegmentationClassAug', f'{i}.png')))
        tags = torch.zeros(1, model.num_fg_classes)
        for c in np.unique(mask):
            if 0 < c < 255:
                tags[0, c - 1] = 1
        ds = SegDataSample(metainfo=dict(img_shape=(crop, crop),
                                         pad_shape=(crop, crop)))
        with torch.no_grad():
            x = (img - mean) / std
            feats = model.extract_feat(x)
            cam = F.relu(model.cam_head(feats[model.cam_in_index]))
            label = model.reliable_labels(x, cam, tags, [ds])
            logits = F.interpolate(model.decode_head.forward(feats),
                                   size=(crop, crop), mode='bilinear',
                                   align_corners=False)
        samples.append((img, logits, label))
    return losses[0], samples


def model_errors(args):
    """Exact vs fast form on a trained segmentor's inputs, per photo."""
    from mmdrs.utils.stats import format_mean_std
    config, checkpoint = args.model
    loss_cfg, samples = model_inputs(config, checkpoint, args.data_root,
                                     args.num_images)
    energy, grad, cosine, t_fast, t_exact = [], [], [], 0., 0.
    for data in samples:
        t = time.perf_counter()
        l_fast, g_fast = step('lattice', *data, loss_cfg=loss_cfg)
        t_fast += time.perf_counter() - t
        t = time.perf_counter()
        l_exact, g_exact = step('exact', *data, loss_cfg=loss_cfg)
        t_exact += time.perf_counter() - t
        energy.append(100 * float((l_fast - l_exact).abs() / l_exact.abs()))
        grad.append(100 * float((g_fast - g_exact).norm() / g_exact.norm()))
        cosine.append(float(F.cosine_similarity(
            g_fast.flatten(), g_exact.flatten(), dim=0)))
    res = dict(model=checkpoint, photos=len(samples),
               crop=samples[0][0].shape[-1],
               sigma_xy=loss_cfg['sigma_xy'],
               scale_factor=loss_cfg['scale_factor'],
               reliable_pct=round(float(sum(
                   (d[2] != 255).float().mean() for d in samples) /
                   len(samples) * 100), 1),
               fast_energy_rel_err_pct=format_mean_std(energy, 2),
               fast_grad_rel_err_pct=format_mean_std(grad, 2),
               grad_cosine=format_mean_std(cosine, 4),
               exact_over_fast=round(t_exact / t_fast, 1))
    print(json.dumps(res, indent=1, ensure_ascii=False))
    return res


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--image', help='an image (resized to the crop)')
    p.add_argument('--device', default='cpu')
    p.add_argument('--crop', type=int, default=321)
    p.add_argument('--batch', type=int, default=1)
    p.add_argument('--repeat', type=int, default=3)
    p.add_argument('--skip-exact', action='store_true',
                   help='fast form and CE only')
    p.add_argument('--skip-memory', action='store_true')
    p.add_argument('--model', nargs=2, metavar=('CONFIG', 'CHECKPOINT'),
                   help="a trained one-step segmentor's inputs instead")
    p.add_argument('--data-root', default='data/voc_mini')
    p.add_argument('--num-images', type=int, default=16)
    p.add_argument('--child', help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        return child(args)
    if args.model:
        return model_errors(args)
    torch.manual_seed(0)
    data = inputs(args)
    step('lattice', *data)  # warm-up (lattice gain, allocator)
    t_ce, _ = timed('ce', args, data, args.repeat)
    t_fast, (l_fast, g_fast) = timed('lattice', args, data, args.repeat)
    res = dict(device=args.device, crop=args.crop, batch=args.batch,
               image=args.image or 'synthetic',
               threads=torch.get_num_threads(),
               ce_s=round(t_ce, 4), fast_s=round(t_fast, 4),
               fast_over_ce=round(t_fast / t_ce, 1))
    if not args.skip_exact:
        t_exact, (l_exact, g_exact) = timed('exact', args, data, 1)
        res.update(
            exact_s=round(t_exact, 3),
            exact_over_ce=round(t_exact / t_ce, 1),
            exact_over_fast=round(t_exact / t_fast, 1),
            fast_energy_rel_err=round(
                float((l_fast - l_exact).abs() / l_exact.abs()), 4),
            fast_grad_rel_err=round(
                float((g_fast - g_exact).norm() / g_exact.norm()), 4),
            authors_lattice_over_exact=round(
                authors_scale(*data), 4))
    if args.skip_memory:
        print(json.dumps(res, indent=1))
        return res
    res['memory_mb'] = {
        v: round(peak_memory(v, args), 1)
        for v in ['ce', 'lattice'] + ([] if args.skip_exact else ['exact'])
    }
    print(json.dumps(res, indent=1))
    return res


if __name__ == '__main__':
    main()
