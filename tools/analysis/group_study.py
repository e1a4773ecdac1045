"""Plain CAM vs DRS vs Group-WSSS vs DRS + Group-WSSS on the toy VOC.

Trains the four toy classifiers at equal budget (same epochs, schedule and
images per epoch; configs/drs/toy/toy_cls_no-drs.py, toy_cls.py and
configs/group_wsss/toy_group_cls.py, toy_drs_group_cls.py) for several
seeds and reports the last epoch's CAM mIoU on ``train`` under both
protocols (background-threshold sweep; the DRS code's saliency background)
as mean ± spread (half the min-max range) over the seeds, plus the median
training-iteration time relative to the plain classifier. For the Group
variants it also scores the same checkpoint with the graph skipped at test
time (``model.test_cfg.graph=none``), through ``tools/test.py``. Every run
is an ordinary ``tools/train.py`` run; finished runs are skipped on re-run.

Usage:
    python tools/analysis/group_study.py [--out work_dirs/group_study]
        [--seeds 0 1 2] [--epochs N] [--toy-size 60 30 120]
        [--data-root data/toy_voc_group]
"""
import argparse
import glob
import json
import os
import os.path as osp
import subprocess
import sys

REPO = osp.join(osp.dirname(osp.abspath(__file__)), '..', '..')
sys.path.insert(0, REPO)

from mmengine.config import Config  # noqa: E402

from mmdrs.datasets.toy_voc import make_toy_voc  # noqa: E402
from mmdrs.pipeline.binding import data_options, epoch_options  # noqa: E402
from mmdrs.pipeline.tool_runs import train_stage  # noqa: E402
from mmdrs.utils.atomic import (write_json_atomic,  # noqa: E402
                                write_text_atomic)

VARIANTS = {
    'plain': 'configs/drs/toy/toy_cls_no-drs.py',
    'drs': 'configs/drs/toy/toy_cls.py',
    'group': 'configs/group_wsss/toy_group_cls.py',
    'drs-group': 'configs/group_wsss/toy_drs_group_cls.py',
    # ablation (not in the default list): the authors' loss without the
    # final / 2, i.e. 0.4 x pre + 1 x post
    'group-loss-x2': 'configs/group_wsss/toy_group_cls.py',
    # ablation: the batch composition alone - the plain classifier's loss
    # (pre-graph loss at weight 1, graph loss 0, graph skipped at test) on
    # the group sampler's batches (5 label sets of 3 images per step)
    'plain-grouped': 'configs/group_wsss/toy_group_cls.py',
}
VARIANT_OPTIONS = {
    'group-loss-x2': ['model.pre_graph_weight=0.8',
                      'model.post_graph_weight=2.0'],
    'plain-grouped': ['model.pre_graph_weight=2.0',
                      'model.post_graph_weight=0.0',
                      'model.test_cfg.graph=none'],
}
DEFAULT_VARIANTS = ['plain', 'drs', 'group', 'drs-group']


def test_without_graph(cfg_path, ckpt, work, opts):
    """CAM metrics of ``ckpt`` with the graph skipped at test time."""
    out = osp.join(work, 'test_graph-none')
    done = osp.join(out, 'metrics.json')
    if osp.isfile(done):
        with open(done) as f:
            return json.load(f)
    cmd = [sys.executable, osp.join(REPO, 'tools', 'test.py'), cfg_path,
           ckpt, '--work-dir', out, '--cfg-options',
           'model.test_cfg.graph=none', *opts]
    p = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    if p.returncode:
        raise RuntimeError(f'{cmd} failed:\n{p.stderr[-3000:]}')
    rows = []
    for f in glob.glob(osp.join(out, '**', '*.json'), recursive=True):
        with open(f) as fh:
            rows += [json.loads(ln) for ln in fh if ln.strip().startswith('{')]
    res = next((r for r in rows if 'cam/mIoU' in r), None)
    if res is None:
        raise RuntimeError(f'no cam/mIoU in the test results under {out}')
    write_json_atomic(done, res)
    return res


def mean_spread(values):
    values = [v for v in values if v is not None]
    if not values:
        return 'n/a'
    mean = sum(values) / len(values)
    return f'{mean:.1f} ± {(max(values) - min(values)) / 2:.1f}'


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--out', default='work_dirs/group_study')
    p.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    p.add_argument('--epochs', type=int, default=None,
                   help="override the configs' 6 epochs")
    p.add_argument('--data-root', default='data/toy_voc_group')
    p.add_argument('--toy-size', nargs=3, type=int, default=[60, 30, 120],
                   metavar=('TRAIN', 'VAL', 'AUG'))
    p.add_argument('--variants', nargs='+', default=DEFAULT_VARIANTS,
                   choices=list(VARIANTS))
    args = p.parse_args()
    n_train, n_val, n_aug = args.toy_size
    make_toy_voc(args.data_root, num_train=n_train, num_val=n_val,
                 num_aug=n_aug)
    runs = []
    for seed in args.seeds:
        for name in args.variants:
            work = osp.join(args.out, f'{name}_seed{seed}')
            os.makedirs(work, exist_ok=True)
            cfg_path = osp.join(REPO, VARIANTS[name])
            cfg = Config.fromfile(cfg_path)
            opts = data_options(cfg, args.data_root)
            opts.append(f'randomness.seed={seed}')
            opts += VARIANT_OPTIONS.get(name, [])
            if args.epochs:
                opts += epoch_options(cfg, args.epochs)
            res = train_stage(f'{name}_seed{seed}', cfg_path, work, opts)
            row = dict(variant=name, seed=seed, **res)
            # the same checkpoint with the graph skipped at test, unless the
            # variant already tests that way
            if ('group' in name and 'model.test_cfg.graph=none'
                    not in VARIANT_OPTIONS.get(name, [])):
                plain = test_without_graph(cfg_path, res['checkpoint'], work,
                                           opts)
                row['graph_none/cam/mIoU'] = plain.get('cam/mIoU')
                row['graph_none/cam/sal_mIoU'] = plain.get('cam/sal_mIoU')
            runs.append(row)
            print(f'{name} seed {seed}: CAM mIoU {res.get("cam/mIoU")} '
                  f'saliency {res.get("cam/sal_mIoU")} '
                  f'iter {res.get("train_iter_time")}', flush=True)
    base_time = [r.get('train_iter_time') for r in runs
                 if r['variant'] == 'plain' and r.get('train_iter_time')]
    base_time = sum(base_time) / len(base_time) if base_time else None
    lines = [
        '| variant | CAM mIoU (thr sweep) | CAM mIoU (saliency bg) | '
        'graph skipped at test: thr / saliency | s/iter (x plain) |',
        '|---|---|---|---|---|'
    ]
    for name in args.variants:
        rs = [r for r in runs if r['variant'] == name]
        times = [r.get('train_iter_time') for r in rs
                 if r.get('train_iter_time')]
        t = sum(times) / len(times) if times else None
        ratio = f' ({t / base_time:.2f}x)' if t and base_time else ''
        none = '-'
        if 'group' in name:
            thr = mean_spread([r.get('graph_none/cam/mIoU') for r in rs])
            sal = mean_spread([r.get('graph_none/cam/sal_mIoU') for r in rs])
            none = f'{thr} / {sal}'
        lines.append(
            f'| {name} | {mean_spread([r.get("cam/mIoU") for r in rs])} | '
            f'{mean_spread([r.get("cam/sal_mIoU") for r in rs])} | {none} | '
            f'{t:.3f}{ratio} |' if t else '| ' + name + ' | n/a |')
    table = '\n'.join(lines)
    note = (f'\n{len(args.seeds)} seeds {args.seeds}; toy VOC '
            f'{args.data_root} ({n_train} train / {n_aug} aug images); '
            'last epoch; mean ± half range.\n')
    print('\n' + table + note)
    write_text_atomic(osp.join(args.out, 'group_study.md'), table + note)
    write_json_atomic(osp.join(args.out, 'group_study.json'), runs)


if __name__ == '__main__':
    main()
