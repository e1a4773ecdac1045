"""Render the CAMs of several trained classifiers side by side.

One row per run (a work dir with ``config.py`` or a given config, and its
``last_checkpoint``), one column per image: the image with the max over its
ground-truth classes' normalised CAMs (multi-scale settings of the config's
``test_cfg``) as a heat map. Checkpoints load strictly: a config that does
not match its checkpoint is an error, not a silently random model.

Usage:
    python tools/analysis/compare_cams.py RUN_DIR [RUN_DIR ...]
        --data-root data/toy_voc --out cams.png [--num 6] [--size 112]
"""
import argparse
import os.path as osp
import sys

REPO = osp.join(osp.dirname(osp.abspath(__file__)), '..', '..')
sys.path.insert(0, REPO)

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmengine.runner import load_checkpoint  # noqa: E402
from mmseg.registry import MODELS  # noqa: E402
from PIL import Image  # noqa: E402

import mmdrs  # noqa: E402,F401
from mmdrs.datasets import read_split  # noqa: E402
from mmdrs.visualization import heatmap_overlay, write_image  # noqa: E402


def load_run(run_dir):
    cfg_path = osp.join(run_dir, 'config.py')
    if not osp.isfile(cfg_path):
        raise FileNotFoundError(f'{cfg_path} not found')
    ckpt_file = osp.join(run_dir, 'last_checkpoint')
    if not osp.isfile(ckpt_file):
        raise FileNotFoundError(f'{ckpt_file} not found (train the run)')
    cfg = Config.fromfile(cfg_path)
    model = MODELS.build(cfg.model)
    with open(ckpt_file) as f:
        load_checkpoint(model, f.read().strip(), map_location='cpu',
                        strict=True, logger='silent')
    return model.eval()


def render(model, img_bgr, labels, size):
    pre = model.data_preprocessor
    x = cv2.resize(img_bgr, (size, size))[..., ::-1].copy()
    x = torch.from_numpy(x).permute(2, 0, 1).float()[None]
    x = (x - pre.mean) / pre.std
    with torch.no_grad():
        cams, _ = model.multiscale_cams(x)
    cam = cams[0, labels].amax(0).numpy() if labels else np.zeros(
        (size, size), np.float32)
    return heatmap_overlay(img_bgr, cam)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('runs', nargs='+')
    p.add_argument('--data-root', default='data/toy_voc')
    p.add_argument('--split', default='train')
    p.add_argument('--num', type=int, default=6)
    p.add_argument('--size', type=int, default=112)
    p.add_argument('--out', default='cams.png')
    args = p.parse_args()
    init_default_scope('mmseg')
    ids = read_split(args.data_root, args.split)[:args.num]
    rows = []
    for run in args.runs:
        model = load_run(run)
        row = []
        for img_id in ids:
            img = cv2.imread(
                osp.join(args.data_root, 'JPEGImages', f'{img_id}.jpg'))
            lab = np.array(
                Image.open(
                    osp.join(args.data_root, 'SegmentationClassAug',
                             f'{img_id}.png')))
            labels = [int(v) - 1 for v in np.unique(lab) if 0 < v < 255]
            row.append(render(model, img, labels, args.size))
        rows.append(np.concatenate(row, 1))
    write_image(args.out, np.concatenate(rows, 0))
    print(f'wrote {args.out}: rows = {args.runs}')


if __name__ == '__main__':
    main()
