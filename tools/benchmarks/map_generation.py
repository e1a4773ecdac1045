"""Map generation: throughput vs a naive loop, bytes/image, peak memory.

* **Speed**: ``mmdrs.apis.generate_maps`` (the Runner job behind
  ``tools/generate_maps.py``: batched images, scales and flips in tensors,
  channels-last convolutions, writer threads) against a naive sequential
  loop (one image, one scale, one flip per forward, as a straightforward
  script would do), both writing
  the same ``.npz`` format; the outputs are compared (max difference in
  quantisation steps, share of differing pixels).
* **Size**: bytes/image of our format vs the paper's 20 x 320 x 320 uint8.
* **Memory**: peak RSS (process + dataloader workers) of
  ``tools/generate_maps.py`` on ``--mem-sizes`` images (goal: flat).

Toy VOC images of ``--img-size`` px stand in for VOC (maps are stored at the
original size). Without ``--checkpoint`` the config's model is used as
initialised (pretrained backbone, random head): fine for speed and size.

Usage:
    python tools/benchmarks/map_generation.py [--config C] [--checkpoint P]
        [--num 200] [--img-size 384] [--batch-size 8] [--flip]
        [--repeat 1] [--mem-sizes 100 1000]
"""
import argparse
import glob
import os
import os.path as osp
import subprocess
import sys
import tempfile
import time

REPO = osp.join(osp.dirname(osp.abspath(__file__)), '..', '..')
sys.path.insert(0, REPO)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from mmcv import imread, imresize  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmseg.registry import MODELS  # noqa: E402

import mmdrs  # noqa: E402,F401
from mmdrs.apis import generate_maps, voc_split_dataset  # noqa: E402
from mmdrs.datasets import make_toy_voc  # noqa: E402
from mmdrs.fileio import load_cam_maps, map_file, save_cam_maps  # noqa
from mmdrs.models.utils import normalize_cams  # noqa: E402

PAPER_BYTES = 20 * 320 * 320


def naive_maps(model, cfg, data_root, out_dir, scales, flip):
    """One forward per (image, scale, flip); same format as the tool."""
    pre = model.data_preprocessor
    size = cfg.test_pipeline[1]['scale']  # the squash size
    ds = voc_split_dataset(data_root, 'train')
    classes = ds.metainfo['classes'][1:]
    os.makedirs(out_dir, exist_ok=True)
    for i in range(len(ds)):
        info = ds.get_data_info(i)
        img = imread(info['img_path'])
        gt = imread(info['seg_map_path'], flag='unchanged', backend='pillow')
        labels = [int(v) - 1 for v in np.unique(gt) if 0 < v < 255]
        # the test pipeline's squash (mmcv, as mmseg's Resize does it)
        x = imresize(img, tuple(size), interpolation='bilinear')
        x = torch.from_numpy(x[..., ::-1].copy()).permute(2, 0, 1).float()
        x = (x[None] - pre.mean) / pre.std
        fused = None
        for s in scales:
            xs = F.interpolate(x, size=(s, s), mode='bilinear',
                               align_corners=False)
            for f in ([False, True] if flip else [False]):
                m = model.class_maps(xs.flip(-1) if f else xs)
                m = m.flip(-1) if f else m
                cams = normalize_cams(m, x.shape[-2:])
                fused = cams if fused is None else torch.maximum(fused, cams)
        fused = F.interpolate(fused, size=img.shape[:2], mode='bilinear',
                              align_corners=False)[0]
        save_cam_maps(map_file(out_dir, info['img_path']), fused[labels],
                      labels, classes)


def compare(dir_a, dir_b):
    worst, diff, total = 0, 0, 0
    for path in sorted(glob.glob(osp.join(dir_a, '*.npz'))):
        with np.load(path) as a, np.load(
                osp.join(dir_b, osp.basename(path))) as b:
            if list(a['labels']) != list(b['labels']):
                raise AssertionError(f'{path}: classes differ')
            d = np.abs(a['maps'].astype(int) - b['maps'].astype(int))
        worst = max(worst, int(d.max()) if d.size else 0)
        diff += int((d > 0).sum())
        total += d.size
    return worst, diff / max(total, 1)


def peak_rss_mb(cmd):
    """Peak RSS of a command and its waited-for children (fresh process)."""
    code = ('import resource, subprocess, sys; '
            'subprocess.run(sys.argv[1:], check=True, '
            'stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); '
            'print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)')
    out = subprocess.run([sys.executable, '-c', code, *cmd], check=True,
                         capture_output=True, text=True, cwd=REPO)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--config', default='configs/drs/toy/toy_cls.py')
    p.add_argument('--checkpoint')
    p.add_argument('--num', type=int, default=200)
    p.add_argument('--img-size', type=int, default=384)
    p.add_argument('--batch-size', type=int, default=8)
    p.add_argument('--flip', action='store_true')
    p.add_argument('--mem-sizes', type=int, nargs='*', default=[100, 1000])
    p.add_argument('--repeat', type=int, default=1,
                   help='alternate the two paths this many times and keep '
                   "each one's best time (for noisy machines)")
    p.add_argument('--work-dir', help='default: a temporary folder')
    args = p.parse_args()
    torch.set_grad_enabled(False)
    init_default_scope('mmseg')
    work = args.work_dir or tempfile.mkdtemp(prefix='map_bench_')
    cfg = Config.fromfile(osp.join(REPO, args.config))
    scales = list(cfg.get('map_cfg', {}).get('scales', (256, 320, 384)))
    model = MODELS.build(cfg.model)
    model.init_weights()
    ckpt = args.checkpoint
    if ckpt is None:
        ckpt = osp.join(work, 'init.pth')
        torch.save(dict(state_dict=model.state_dict()), ckpt)
    else:
        from mmengine.runner import load_checkpoint
        load_checkpoint(model, ckpt, map_location='cpu', logger='silent')
    model.eval()

    def data(n):
        root = osp.join(work, f'toy_{n}')
        make_toy_voc(root, num_train=n, num_val=1, num_aug=1,
                     img_size=args.img_size, seed=1)
        return root

    root = data(args.num)
    opts = dict(test_dataloader=dict(dataset=dict(data_root=root)))
    t_fast = t_loop = t_naive = float('inf')
    for r in range(args.repeat):  # alternate; keep each path's best run
        fast, naive = osp.join(work, f'fast{r}'), osp.join(work, f'naive{r}')
        t0 = time.perf_counter()
        res = generate_maps(args.config, ckpt, fast,
                            split='train', flip=args.flip,
                            batch_size=args.batch_size, cfg_options=opts)
        t_fast = min(t_fast, time.perf_counter() - t0)
        t_loop = min(t_loop, res['seconds'])
        t0 = time.perf_counter()
        naive_maps(model, cfg, root, naive, scales, args.flip)
        t_naive = min(t_naive, time.perf_counter() - t0)
    worst, share = compare(fast, naive)
    n = args.num
    print(f'\nscales {scales}, flip {args.flip}, {n} images of '
          f'{args.img_size} px, batch {args.batch_size}, '
          f'{torch.get_num_threads()} threads, best of {args.repeat}')
    print(f'generate_maps: {n / t_loop:.1f} img/s in the test loop, '
          f'{n / t_fast:.1f} img/s for the whole job (Runner start-up '
          f'{t_fast - t_loop:.1f} s)  naive loop: {n / t_naive:.1f} img/s')
    print(f'speed-up: {t_naive / t_loop:.2f}x (loop; goal >= 1.5), '
          f'{t_naive / t_fast:.2f}x (whole job incl. start-up)')
    print(f'outputs: max difference {worst} quantisation step(s), '
          f'{share * 100:.4f}% of pixels differ')
    bpi = res['bytes_per_image']
    print(f'bytes/image: {bpi / 1024:.1f} KiB at {args.img_size}x'
          f'{args.img_size} vs the paper format {PAPER_BYTES / 2**20:.2f} MiB'
          f' ({PAPER_BYTES / bpi:.0f}x smaller; goal <= 0.2 MB)')
    peaks = []
    for m in args.mem_sizes:
        r = data(m)
        cmd = [
            sys.executable, 'tools/generate_maps.py', args.config, ckpt,
            '--out-dir', osp.join(work, f'mem_{m}'), '--split', 'train',
            '--batch-size', str(args.batch_size), '--cfg-options',
            f'test_dataloader.dataset.data_root={r}'
        ]
        peaks.append(peak_rss_mb(cmd))
        print(f'peak memory, {m} images: {peaks[-1]:.0f} MiB')
    if len(peaks) > 1:
        print(f'peak memory ratio {args.mem_sizes[-1]} / '
              f'{args.mem_sizes[0]} images: {peaks[-1] / peaks[0]:.2f} '
              '(goal: flat, ~1.0)')
    print(f'work dir: {work}')


if __name__ == '__main__':
    main()
