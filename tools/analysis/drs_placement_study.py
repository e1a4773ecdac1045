"""Where should DRS go in a pretrained backbone? A toy-data study.

Trains the toy classifier (``configs/drs/toy/toy_cls.py``: ImageNet
EfficientNet-Lite0, 4 stages, output stride 8) at equal budget with DRS

* in ``all`` activations of the backbone (+ the CAM head),
* in the ``last-stage`` activations only (stage 4, blocks 5-7; + head),
* in the CAM ``head-only`` (3 extra convs), backbone untouched,

for delta in {0.4, 0.55, 0.7, learnable}, plus the plain-CAM baseline, and
reports CAM mIoU under both protocols (background-threshold sweep, and the
DRS code's saliency background), classification mAP and train-iteration
time. Every variant is an ordinary ``tools/train.py`` run of a config written
to ``<out>/<variant>/config.py``; finished variants are skipped on re-run.

Usage:
    python tools/analysis/drs_placement_study.py [--out work_dirs/placement]
        [--epochs N] [--data-root data/toy_voc] [--placements ...]
        [--deltas ...] [--body-cue 0 --data-root data/toy_voc_plain]
"""
import argparse
import os
import os.path as osp
import sys

REPO = osp.join(osp.dirname(osp.abspath(__file__)), '..', '..')
sys.path.insert(0, REPO)

from mmengine.config import Config  # noqa: E402

from mmdrs.datasets.toy_voc import make_toy_voc  # noqa: E402
from mmdrs.models import EfficientNetLite  # noqa: E402
from mmdrs.pipeline.binding import data_options, epoch_options  # noqa: E402
from mmdrs.pipeline.tool_runs import train_stage  # noqa: E402
from mmdrs.utils.atomic import (write_json_atomic,  # noqa: E402
                                write_text_atomic)

DELTAS = (0.4, 0.55, 0.7, 'learnable')
PLACEMENTS = ('all', 'last-stage', 'head-only')


def variant_config(placement, delta):
    cfg = Config.fromfile(osp.join(REPO, 'configs/drs/toy/toy_cls.py'))
    drs = None if placement == 'baseline' else dict(delta=delta)
    bb = cfg.model.backbone
    if placement == 'all':
        bb.targets = ['*']
    elif placement == 'last-stage':
        bb.targets = EfficientNetLite(
            num_stages=4, out_indices=(3, )).activation_names([4])
    bb.drs_cfg = None if placement == 'head-only' else drs
    cfg.model.cam_head.drs_cfg = drs
    return cfg


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--out', default='work_dirs/placement')
    p.add_argument('--epochs', type=int, default=None,
                   help="override the config's 6 epochs")
    p.add_argument('--data-root', default='data/toy_voc')
    p.add_argument('--body-cue', type=float, default=0.25,
                   help='weak class cue on the toy object bodies (the '
                   'generator default); 0 = identical bodies')
    p.add_argument('--deltas', nargs='+', default=None,
                   help='subset of 0.4 0.55 0.7 learnable')
    p.add_argument('--placements', nargs='+', default=PLACEMENTS,
                   choices=PLACEMENTS)
    args = p.parse_args()
    make_toy_voc(args.data_root, body_cue=args.body_cue)
    deltas = DELTAS if args.deltas is None else [
        d if d == 'learnable' else float(d) for d in args.deltas
    ]
    variants = [('baseline', None)] + [(pl, d) for pl in args.placements
                                       for d in deltas]
    rows = []
    for placement, delta in variants:
        name = placement if delta is None else f'{placement}_delta-{delta}'
        work = osp.join(args.out, name)
        os.makedirs(work, exist_ok=True)
        cfg_path = osp.join(work, 'config.py')
        variant_config(placement, delta).dump(cfg_path)
        cfg = Config.fromfile(cfg_path)
        opts = data_options(cfg, args.data_root)
        if args.epochs:
            opts += epoch_options(cfg, args.epochs)
        res = train_stage(name, cfg_path, work, opts)
        rows.append(dict(res, placement=placement, delta=delta))
        print(f'{name}: CAM mIoU {res.get("cam/mIoU")} saliency '
              f'{res.get("cam/sal_mIoU")} mAP {res.get("cls/mAP")}',
              flush=True)
    base = rows[0]
    lines = [
        '| placement | delta | CAM mIoU (thr sweep) | best thr | '
        'CAM mIoU (saliency bg) | mAP | s/iter (x baseline) |',
        '|---|---|---|---|---|---|---|'
    ]
    for r in rows:
        ratio = r.get('train_iter_time', 0) / max(
            base.get('train_iter_time', 1), 1e-9)
        lines.append(
            f'| {r["placement"]} | {r["delta"] or "-"} | '
            f'{r.get("cam/mIoU")} | {r.get("cam/best_threshold")} | '
            f'{r.get("cam/sal_mIoU")} | {r.get("cls/mAP")} | '
            f'{r.get("train_iter_time", 0):.3f} ({ratio:.2f}x) |')
    table = '\n'.join(lines)
    print('\n' + table)
    write_text_atomic(osp.join(args.out, 'placement.md'), table + '\n')
    write_json_atomic(osp.join(args.out, 'placement.json'), rows)


if __name__ == '__main__':
    main()
