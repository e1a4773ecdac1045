# Copyright (c) mmdrs contributors.
"""Write localization maps (CAMs or refined maps) for every image of a split.

Examples::

    # the paper's maps (3 scales) of the 1,464 train images, for evaluation
    python tools/generate_maps.py configs/drs/voc_cls.py CKPT \
        --out-dir work_dirs/maps/train --split train
    # 4 GPUs, train_aug, fixed 320x320 (refinement targets)
    bash tools/dist_generate_maps.sh configs/drs/voc_cls.py CKPT 4 \
        --out-dir work_dirs/maps/trainaug --split trainaug --out-size 320 320

Finished images are skipped, so re-running a killed job resumes it.
"""
import argparse
import os.path as osp
import sys
import warnings

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..'))
warnings.filterwarnings('ignore', message='pkg_resources is deprecated')

import mmdrs  # noqa: E402,F401  (applies the stack shims)
from mmdrs.apis import generate_maps  # noqa: E402
from mmdrs.utils.compat import exit_finished_distributed_run  # noqa: E402
from mmdrs.utils.runner_cfg import (add_runner_args,  # noqa: E402
                                    set_local_rank_env)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Generate localization maps')
    p.add_argument('config', help='classifier or refinement config')
    p.add_argument('checkpoint', help='checkpoint file')
    p.add_argument('--out-dir', required=True, help='output folder')
    p.add_argument('--split', help='ImageSets/Segmentation/<split>.txt '
                   "instead of the config's test split")
    p.add_argument('--scales', type=int, nargs='+',
                   help="square inference sizes (default: config's "
                   'map_cfg.scales, else 256 320 384)')
    p.add_argument('--flip', action='store_true', default=None,
                   help='add horizontally flipped passes')
    p.add_argument('--out-size', type=int, nargs=2, metavar=('H', 'W'),
                   help='store maps at this size (default: original size)')
    p.add_argument('--quantize', choices=['round', 'floor'],
                   help="uint8 quantisation (default: config's "
                   "map_cfg.quantize, else round; 'floor' as the authors' "
                   'map generator)')
    p.add_argument('--batch-size', type=int, help='images per batch')
    p.add_argument('--no-channels-last', dest='channels_last',
                   action='store_false', default=None,
                   help='keep the NCHW memory format (default: channels-last'
                   ' convolutions, same maps up to float rounding)')
    add_runner_args(p)
    args = p.parse_args(argv)
    set_local_rank_env(args.local_rank)
    return args


def main(argv=None):
    args = parse_args(argv)
    res = generate_maps(
        args.config,
        args.checkpoint,
        args.out_dir,
        split=args.split,
        scales=args.scales,
        flip=args.flip,
        out_size=tuple(args.out_size) if args.out_size else None,
        quantize=args.quantize,
        batch_size=args.batch_size,
        channels_last=args.channels_last,
        launcher=args.launcher,
        cfg_options=args.cfg_options)
    print(f'maps in {args.out_dir}: {res}')


if __name__ == '__main__':
    main()
    exit_finished_distributed_run()  # torch 2.13 gloo teardown (compat)
