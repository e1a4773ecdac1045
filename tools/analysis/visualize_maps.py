"""A grid PNG of stored localization maps: what to look at first.

One row per image: the image, its ground truth, then for every maps folder
one heat-map overlay per class of the image and the thresholded prediction
(background unless a map exceeds ``--threshold``); a folder of label PNGs
(pseudo labels, a segmentor's predictions) shows its label. Several folders
side by side compare methods, e.g. plain CAM vs DRS::

    python tools/analysis/visualize_maps.py work_dirs/toy/maps/no-drs \
        work_dirs/toy/maps/drs --names no-DRS DRS --data-root data/toy_voc \
        --num 6 --out work_dirs/toy/maps_grid.png
"""
import argparse
import os.path as osp
import random
import sys
import warnings

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))
warnings.filterwarnings('ignore', message='pkg_resources is deprecated')

import numpy as np  # noqa: E402
import torch  # noqa: E402
from mmcv import imread  # noqa: E402

import mmdrs  # noqa: E402,F401
from mmdrs.apis import voc_split_dataset  # noqa: E402
from mmdrs.fileio import load_cam_maps, map_file  # noqa: E402
from mmdrs.models.utils.cam import normalize_cams  # noqa: E402
from mmdrs.visualization import (colorize_label, grid,  # noqa: E402
                                 heatmap_overlay, tile, write_image)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('maps_dirs', nargs='+',
                   help='folders of .npz maps or of label PNGs')
    p.add_argument('--names', nargs='+', help='a caption per folder')
    p.add_argument('--data-root', required=True)
    p.add_argument('--split', default='train')
    p.add_argument('--seg-dir', default='SegmentationClassAug')
    p.add_argument('--images', nargs='+', help='image ids (default random)')
    p.add_argument('--num', type=int, default=6, help='random images')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--threshold', type=float, nargs='+', default=[0.25],
                   help='background score of the prediction column: one, '
                   'or one per folder (e.g. each map set at its best '
                   'threshold on train)')
    p.add_argument('--normalize', action='store_true',
                   help='divide each class map by its maximum first (raw '
                   'maps, e.g. the refined ones, as their evaluation does)')
    p.add_argument('--tile', type=int, default=128, help='tile size (px)')
    p.add_argument('--out', default='maps_grid.png')
    return p.parse_args(argv)


def image_row(info, maps_dirs, names, classes, thresholds, size,
              normalize=False):
    img = imread(info['img_path'])
    if img is None:
        raise FileNotFoundError(f'image {info["img_path"]} not found')
    gt = imread(info['seg_map_path'], flag='unchanged', backend='pillow')
    stem = osp.splitext(osp.basename(info['img_path']))[0]
    row = [tile(img, size, stem), tile(colorize_label(gt), size, 'GT')]
    for maps_dir, name, threshold in zip(maps_dirs, names, thresholds):
        png = osp.join(maps_dir, stem + '.png')
        if osp.isfile(png) and not osp.isfile(
                map_file(maps_dir, info['img_path'])):
            label = imread(png, flag='unchanged', backend='pillow')
            row.append(tile(colorize_label(label), size, name))
            continue
        m = load_cam_maps(map_file(maps_dir, info['img_path']), classes[1:],
                          size=gt.shape[:2])
        if normalize:
            m['maps'] = normalize_cams(torch.from_numpy(
                m['maps'][None]).float())[0].numpy()
        for c in m['labels']:
            row.append(tile(heatmap_overlay(img, m['maps'][c]), size,
                            f'{name}: {classes[c + 1]}'))
        scores = np.concatenate(
            [np.full((1, *gt.shape), threshold, np.float32), m['maps']])
        row.append(tile(colorize_label(scores.argmax(0)), size,
                        f'{name}: bg {threshold:g}'))
    return row


def main(argv=None):
    args = parse_args(argv)
    names = args.names or [osp.basename(osp.normpath(d))
                           for d in args.maps_dirs]
    if len(names) != len(args.maps_dirs):
        raise ValueError('--names needs one name per maps folder')
    thresholds = args.threshold * (len(names) if len(args.threshold) == 1
                                   else 1)
    if len(thresholds) != len(names):
        raise ValueError(f'--threshold needs one value or one per maps '
                         f'folder ({len(names)}), got {len(args.threshold)}')
    dataset = voc_split_dataset(args.data_root, args.split, args.seg_dir)
    classes = dataset.metainfo['classes']
    stems = [osp.splitext(osp.basename(dataset.get_data_info(i)['img_path']))
             [0] for i in range(len(dataset))]
    if args.images:
        missing = set(args.images) - set(stems)
        if missing:
            raise KeyError(f'images {sorted(missing)} are not in split '
                           f'{args.split} of {args.data_root}')
        idx = [stems.index(s) for s in args.images]
    else:
        idx = sorted(random.Random(args.seed).sample(
            range(len(stems)), min(args.num, len(stems))))
    rows = [
        image_row(dataset.get_data_info(i), args.maps_dirs, names, classes,
                  thresholds, args.tile, args.normalize) for i in idx
    ]
    write_image(args.out, grid(rows, args.tile))
    print(f'wrote {args.out} ({len(rows)} images x {len(names)} map sets)')


if __name__ == '__main__':
    main()
