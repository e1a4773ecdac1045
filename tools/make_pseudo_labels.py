# Copyright (c) mmdrs contributors.
"""Pseudo labels (palette PNGs, 255 = ignore) from stored maps.

The paper's rules with saliency maps (default), or a saliency-free
background (``--mode constant`` / ``power``), optionally refined by a dense
CRF (``--crf``, its settings changed by ``--crf-cfg``; needs the ``crf``
extra), or RRM's saliency-free reliable regions (``--mode reliable``: two
dense CRFs, top 40 % of each class's CAM region, 255 where unsure; needs the
``crf`` extra)::

    python tools/make_pseudo_labels.py work_dirs/maps/trainaug_refined \
        --data-root data/VOCdevkit/VOC2012 --split trainaug \
        --out-dir work_dirs/pseudo_labels --saliency-dir SaliencyMaps

Existing PNGs are kept (re-running resumes). The labels' mIoU against the
masks (where the split has masks) is printed and written to
``<out-dir>/pseudo_label_eval.json``. Train on them with
``configs/drs/deeplabv3plus_r101-d8_voc12aug_pseudo.py`` (the
``LoadPseudoLabels`` transform).
"""
import argparse
import os.path as osp
import sys
import warnings

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..'))
warnings.filterwarnings('ignore', message='pkg_resources is deprecated')

from mmengine.config import DictAction  # noqa: E402

import mmdrs  # noqa: E402,F401
from mmdrs.apis.label_generation import (MODES,  # noqa: E402
                                         make_pseudo_labels)
from mmdrs.utils.atomic import write_json_atomic  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Make pseudo labels')
    p.add_argument('maps_dir', help='folder of .npz maps')
    p.add_argument('--data-root', required=True, help='VOC-layout root')
    p.add_argument('--out-dir', required=True, help='PNG output folder')
    p.add_argument('--split', default='trainaug')
    p.add_argument('--mode', choices=MODES, default='saliency')
    p.add_argument('--saliency-dir', default='SaliencyMaps',
                   help='saliency PNGs (relative to the data root or '
                   'absolute)')
    p.add_argument('--seg-dir', default='SegmentationClassAug',
                   help='masks to score the labels against')
    p.add_argument('--alpha', type=float,
                   help='class-score floor (default 0.2 with saliency, '
                   '0 otherwise)')
    p.add_argument('--bg-score', type=float, default=0.15,
                   help='background score of --mode constant')
    p.add_argument('--power', type=float, default=4.0,
                   help='exponent of --mode power')
    p.add_argument('--crf', nargs='?', const='scores', default=False,
                   choices=['scores', 'labels'],
                   help="dense CRF on the threshold modes' scores (--crf, "
                   "--crf scores) or on their arg-max labels (--crf labels)")
    p.add_argument('--crf-cfg', nargs='+', action=DictAction, default=None,
                   metavar='KEY=VALUE',
                   help='settings of that CRF, e.g. bilateral_srgb=13 '
                   "(default: IRN's label CRF for --crf labels, dense_crf's "
                   'defaults for --crf scores)')
    p.add_argument('--ignore-margin', type=float, default=0.0,
                   help='--mode constant: 255 where the rule at bg-score '
                   '- and + this margin disagrees (default 0: none)')
    p.add_argument('--workers', type=int, default=2)
    a = p.parse_args(argv)
    if a.crf_cfg and not a.crf:
        p.error('--crf-cfg changes the dense CRF: it needs --crf or '
                '--crf labels')
    return a


def main(argv=None):
    a = parse_args(argv)
    res = make_pseudo_labels(
        a.maps_dir, a.data_root, a.out_dir, split=a.split, mode=a.mode,
        saliency_dir=a.saliency_dir, seg_dir=a.seg_dir, alpha=a.alpha,
        bg_score=a.bg_score, power=a.power, crf=a.crf, crf_cfg=a.crf_cfg,
        ignore_margin=a.ignore_margin, workers=a.workers)
    write_json_atomic(osp.join(a.out_dir, 'pseudo_label_eval.json'), res)
    print(f'pseudo labels in {a.out_dir}: {res}')
    return res


if __name__ == '__main__':
    main()
