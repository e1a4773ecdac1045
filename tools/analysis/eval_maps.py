"""mIoU of stored localization maps on a VOC split (CAM quality).

Sweeps the background threshold, prints the per-class IoU table at the best
one and writes everything as JSON - the same metric (``CAMIoUMetric``) that
validation runs during classifier training::

    python tools/analysis/eval_maps.py work_dirs/maps/train \
        --data-root data/VOCdevkit/VOC2012 --split train \
        --saliency-dir SaliencyMaps --out work_dirs/maps/train_eval.json
"""
import argparse
import os.path as osp
import sys
import warnings

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))
warnings.filterwarnings('ignore', message='pkg_resources is deprecated')

import mmdrs  # noqa: E402,F401
from mmdrs.apis import evaluate_maps  # noqa: E402
from mmdrs.utils.atomic import write_json_atomic  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Evaluate localization maps')
    p.add_argument('maps_dir', help='folder of .npz maps')
    p.add_argument('--data-root', required=True, help='VOC-layout root')
    p.add_argument('--split', default='train', help='split (default train)')
    p.add_argument('--seg-dir', default='SegmentationClassAug',
                   help='mask folder under the data root')
    p.add_argument('--thresholds', type=float, nargs='+',
                   help='background scores (default 0.05 ... 0.60)')
    p.add_argument('--saliency-dir',
                   help='saliency PNGs: also report the saliency protocol')
    p.add_argument('--saliency-protocol', choices=['eval', 'labels'],
                   default='eval',
                   help="'eval': the authors' validation (alpha, saliency "
                   "background, argmax); 'labels': with the pseudo-label "
                   'ignore rules (ignored pixels count as misses)')
    p.add_argument('--normalize', action='store_true',
                   help="max-normalise each image's maps before the "
                   'threshold sweep (raw refined maps)')
    p.add_argument('--out', help='write the results as JSON here')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    res = evaluate_maps(
        args.maps_dir,
        args.data_root,
        args.split,
        args.seg_dir,
        args.thresholds,
        args.saliency_dir,
        saliency_protocol=args.saliency_protocol,
        normalize=args.normalize)
    line = (f'{res["num_images"]} images: mIoU {res["mIoU"]:.2f} at '
            f'background threshold {res["best_threshold"]:.2f}')
    if 'sal_mIoU' in res:
        line += f', saliency protocol {res["sal_mIoU"]:.2f}'
    print(line)
    if args.out:
        write_json_atomic(args.out, res)
        print(f'results written to {args.out}')
    return res


if __name__ == '__main__':
    main()
