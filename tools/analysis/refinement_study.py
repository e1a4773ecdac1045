"""Where does refinement learning lose quality? One factor at a time.

On a finished toy pipeline (its DRS classifier and DRS maps are the fixed
targets), the refinement stage is re-run with one factor of its recipe
changed at a time, for several seeds, and each variant's refined maps are
scored as the pipeline scores them: CAM mIoU on ``train`` (threshold sweep
on per-image normalised maps; saliency protocol on the maps as used),
pseudo-label mIoU on ``train`` (the saliency rules, and the saliency-free
threshold rule), and CAM mIoU on ``val`` (images neither network trained
on: a refiner that copies the classifier's errors on its training images
shows no gain there either). The DRS maps themselves are the reference.

Factors: the toy recipe as it was (``baseline``: lr 1e-3, 6 epochs, 112 px,
per-pixel max mask, MSE, raw maps); the paper's lr 1e-4 (``paper-lr``, the
toy default since this study); 3x the epochs
(``3x-epochs``); 1.5x the input size (``input-168``: 21x21 features); no max
mask on the targets (``no-max-mask``); the baseline's networks with each
pass max-normalised at inference (``normalized``: no retraining)::

    python tools/analysis/refinement_study.py --toy-work work_dirs/toy \\
        --seeds 0 1 2 --out work_dirs/refinement_study
"""
import argparse
import os
import os.path as osp
import shutil
import statistics
import sys

REPO = osp.join(osp.dirname(osp.abspath(__file__)), '..', '..')
sys.path.insert(0, REPO)

from mmengine.config import Config  # noqa: E402

from mmdrs.pipeline import Pipeline, load_profile  # noqa: E402
from mmdrs.pipeline.binding import (image_size_options,  # noqa: E402
                                    transform_options)
from mmdrs.pipeline.markers import done_marker  # noqa: E402
from mmdrs.utils.atomic import (write_json_atomic,  # noqa: E402
                                write_text_atomic)

REFINE_CFG = 'configs/drs/toy/toy_refine.py'


#: The study's baseline: the toy recipe as it was when the study was made
#: (lr 1e-3); every other variant changes one factor of it. The toy default
#: is now the paper's lr 1e-4 (the ``paper-lr`` row).
BASE = ['optim_wrapper.optimizer.lr=0.001']


def variants():
    cfg = Config.fromfile(osp.join(REPO, REFINE_CFG))
    return {
        'baseline': dict(refine=BASE),
        'paper-lr': dict(refine=['optim_wrapper.optimizer.lr=0.0001']),
        '3x-epochs': dict(refine=BASE + [
            'train_cfg.max_epochs=18', 'param_scheduler.0.milestones=[12]',
            'train_cfg.val_interval=6', 'default_hooks.checkpoint.interval=6'
        ]),
        'input-168': dict(refine=BASE + image_size_options(cfg, 168, 168)),
        'no-max-mask': dict(refine=BASE + transform_options(
            cfg, 'LoadCAMTargets', 'max_mask', False)),
        'normalized': dict(maps=['model.test_cfg.normalize=True'],
                           reuse='baseline'),
    }


def study_profile(toy: Config, refine_opts, map_opts) -> Config:
    """The toy profile's DRS stages (recorded, not re-run) + a refinement
    branch scored on train (pseudo labels) and val (maps)."""
    by_name = {s.get('name', s['type']): dict(s) for s in toy.stages}
    refine = dict(by_name['refine'], options=refine_opts)
    maps = dict(by_name['refined-maps'], options=map_opts)
    return Config(dict(stages=[
        by_name['drs'], by_name['maps-drs'], refine, maps,
        dict(maps, name='refined-val', out='refined_val', split='val',
             eval_split='val'),
        dict(type='PseudoLabels', name='pseudo-train', maps=['refined-maps'],
             split='train'),
    ]))


def reference_profile(toy: Config) -> Config:
    by_name = {s.get('name', s['type']): dict(s) for s in toy.stages}
    return Config(dict(stages=[
        by_name['drs'], by_name['maps-drs'],
        dict(by_name['maps-drs'], name='drs-val', out='drs_val',
             split='val', eval_split='val'),
        dict(type='PseudoLabels', name='pseudo-train', maps=['maps-drs'],
             split='train'),
    ]))


def adopt(src_work: str, dst_work: str, stage_dirs) -> None:
    """Record finished stages of another work dir in ``dst_work`` (their
    markers point at the original outputs)."""
    for d in stage_dirs:
        src = done_marker(osp.join(src_work, d))
        if not osp.isfile(src):
            raise FileNotFoundError(f'{src} not found: run the toy pipeline '
                                    'first (make demo)')
        os.makedirs(osp.join(dst_work, d), exist_ok=True)
        shutil.copy(src, done_marker(osp.join(dst_work, d)))


def scores(pipe, train_stage: str, val_stage: str) -> dict:
    """The study's numbers of one run (see the module docstring)."""
    t, v = pipe.result(train_stage), pipe.result(val_stage)
    p = pipe.result('pseudo-train')
    return {
        'train/cam': t['cam/mIoU'],
        'train/sal': t.get('cam/sal_mIoU'),
        'train/pseudo': p['pseudo/mIoU'],
        'train/pseudo_thr': p.get('pseudo_threshold/mIoU'),
        'val/cam': v['cam/mIoU'],
        'val/sal': v.get('cam/sal_mIoU'),
    }


def fmt(values):
    values = [v for v in values if v is not None]
    if not values:
        return 'n/a'
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f'{statistics.mean(values):.2f} ± {sd:.2f}'


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--toy-work', default='work_dirs/toy')
    p.add_argument('--data-root', default='data/toy_voc')
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--variants', nargs='+', default=None)
    p.add_argument('--out', default='work_dirs/refinement_study')
    args = p.parse_args(argv)
    toy = load_profile('toy')
    recorded = ['drs', osp.join('maps', 'drs')]
    ref_work = osp.join(args.out, 'drs-maps')
    adopt(args.toy_work, ref_work, recorded)
    ref = Pipeline(reference_profile(toy), work_dir=ref_work,
                   data_root=args.data_root,
                   stages=['drs-val', 'pseudo-train'])
    ref.run()
    results = {'DRS maps (no refinement)': [scores(ref, 'maps-drs',
                                                   'drs-val')]}
    chosen = variants()
    for name in args.variants or list(chosen):
        v = chosen[name]
        rows = []
        for seed in args.seeds:
            work = osp.join(args.out, f'{name}_seed{seed}')
            adopt(args.toy_work, work, recorded)
            if v.get('reuse'):
                adopt(osp.join(args.out, f"{v['reuse']}_seed{seed}"), work,
                      ['refine'])
            prof = study_profile(toy, v.get('refine', []) +
                                 [f'randomness.seed={seed}'],
                                 v.get('maps', []))
            pipe = Pipeline(prof, work_dir=work, data_root=args.data_root,
                            stages=['refine', 'refined-maps', 'refined-val',
                                    'pseudo-train'])
            pipe.run()
            rows.append(scores(pipe, 'refined-maps', 'refined-val'))
            print(f'{name} seed {seed}: {rows[-1]}', flush=True)
        results[name] = rows
    keys = [('train/cam', 'CAM mIoU train (sweep)'),
            ('train/sal', 'CAM mIoU train (saliency)'),
            ('train/pseudo', 'pseudo labels train (saliency rules)'),
            ('train/pseudo_thr', 'pseudo labels train (threshold)'),
            ('val/cam', 'CAM mIoU val (sweep)'),
            ('val/sal', 'CAM mIoU val (saliency)')]
    lines = ['| maps | ' + ' | '.join(k[1] for k in keys) + ' |',
             '|---|' + '---|' * len(keys)]
    for name, rows in results.items():
        lines.append(f'| {name} | ' + ' | '.join(
            fmt([r.get(k) for r in rows]) for k, _ in keys) + ' |')
    table = '\n'.join(lines)
    print(f'\nseeds {args.seeds} (mean ± sample std):\n{table}')
    write_text_atomic(osp.join(args.out, 'refinement_study.md'), table + '\n')
    write_json_atomic(osp.join(args.out, 'refinement_study.json'), results)


if __name__ == '__main__':
    main()
