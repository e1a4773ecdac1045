"""Generate the toy PASCAL VOC dataset (see mmdrs/datasets/toy_voc.py)."""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..'))

from mmdrs.datasets.toy_voc import make_toy_voc  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(
        description='Write a small synthetic dataset in the PASCAL VOC 2012 '
        'layout (JPEGImages, SegmentationClass[Aug], Annotations, '
        'SaliencyMaps, ImageSets/Segmentation).')
    p.add_argument('out', help='output directory, e.g. data/toy_voc')
    p.add_argument('--num-train', type=int, default=120)
    p.add_argument('--num-val', type=int, default=60)
    p.add_argument('--num-aug', type=int, default=240)
    p.add_argument('--img-size', type=int, default=112)
    p.add_argument('--max-objects', type=int, default=2)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--body-cue', type=float, default=0.25,
                   help='weak class cue on object bodies (0 = none)')
    p.add_argument('--overwrite', action='store_true',
                   help='replace a dataset made with other parameters')
    return p.parse_args()


def main():
    a = parse_args()
    make_toy_voc(a.out, a.num_train, a.num_val, a.num_aug, a.img_size,
                 a.max_objects, a.seed, body_cue=a.body_cue,
                 overwrite=a.overwrite)
    print(f'toy VOC dataset ready at {a.out}')


if __name__ == '__main__':
    main()
