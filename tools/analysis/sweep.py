"""Variants x seeds of a pipeline profile -> one table of mean ± std.

A study is a config file (``configs/studies/*.py``)::

    profile = 'cpu'                   # a pipeline profile (name or file)
    data_root = None                  # None: the profile's
    work_dir = 'work_dirs/my_study'   # default: work_dirs/<file name>
    stages = None                     # None: all of the profile's
    variables = dict(epochs=None)     # every variant's (optional)
    extra_stages = []                 # appended to the profile's (optional)
    seeds = [0, 1, 2]
    metrics = ['maps-no-drs.cam/mIoU']            # STAGE.KEY of results
    digits = 1                        # decimals in the table (optional)
    variants = dict(
        base=dict(),
        e12=dict(variables=dict(epochs=12),
                 stages=['check', 'no-drs', 'maps-no-drs']),
        drs_backbone=dict(overrides={'drs': dict(
            config='configs/drs/cpu/cpu_cls_drs-backbone.py')}))

Each variant x seed is one pipeline run in ``<work_dir>/<variant>/seed<N>``
(``variables`` as ``tools/run_pipeline.py``'s, over the study's;
``overrides`` as its ``--set``; ``stages`` the stages to run; ``seeds``
the variant's own, e.g. ``[0]`` for a deterministic reference;
``reuse``: finished stages taken instead of run again, as
``dict(variant=..., stages=[...])`` another variant's of the same seed,
e.g. its classifiers for a map-level lever, or ``dict(work_dir=...,
stages=[...])`` those of a finished pipeline run such as ``make demo``'s,
or a list of such; the seed goes to every training stage), so finished
runs are skipped and an interrupted one resumes. The table (``<work_dir>/
sweep.md``, also printed) gives each metric as mean ± sample std over the
seeds (:func:`mmdrs.utils.stats.mean_std`) of every run found in the
work dir, run now or before, and each run's values in ``sweep.json``.
``--dry-run`` prints the runs and their stages and runs nothing.

    python tools/analysis/sweep.py configs/studies/photo_recipe.py \\
        [--variants base e12] [--seeds 0] [--work-dir DIR] [--dry-run]
"""
import argparse
import os
import os.path as osp
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)

from mmengine.config import Config  # noqa: E402

from mmdrs.pipeline import Pipeline, load_profile  # noqa: E402
from mmdrs.pipeline.markers import done_marker  # noqa: E402
from mmdrs.utils.atomic import (write_json_atomic,  # noqa: E402
                                write_text_atomic)
from mmdrs.utils.stats import format_mean_std  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('study', help='study config (configs/studies/*.py)')
    p.add_argument('--variants', nargs='+', help='run only these variants')
    p.add_argument('--seeds', nargs='+', type=int,
                   help="seeds (default: the study's)")
    p.add_argument('--work-dir', help="default: work_dirs/<study name>")
    p.add_argument('--data-root', help="default: the study's or profile's")
    p.add_argument('--dry-run', action='store_true',
                   help='print the runs and their stages, run nothing')
    return p.parse_args(argv)


def lookup(results: dict, metric: str):
    """``results[stage][key]`` for ``'stage.key'`` (None when absent)."""
    stage, _, key = metric.partition('.')
    return (results.get(stage) or {}).get(key)


VARIANT_KEYS = ('variables', 'overrides', 'stages', 'reuse', 'seeds')


def reuse(pipe: Pipeline, specs, pattern: str) -> None:
    """Take finished stages instead of running them again: each spec
    (``dict(variant=..., stages=[...])`` or ``dict(work_dir=...,
    stages=[...])``) copies the done-markers (results with absolute paths
    to checkpoints and maps) of those stages of another variant (same
    seed) or of another pipeline run into this run; a stage that has its
    own marker keeps it."""
    import shutil
    for spec in [specs] if isinstance(specs, dict) else specs or []:
        src = spec.get('work_dir') or pattern.format(variant=spec['variant'])
        for name in spec['stages']:
            own = done_marker(pipe.stage(name).out_dir(pipe))
            if osp.isfile(own):
                continue
            rel = osp.relpath(pipe.stage(name).out_dir(pipe), pipe.work_dir)
            done = done_marker(osp.join(src, rel))
            if not osp.isfile(done):
                raise FileNotFoundError(
                    f'reuse: stage {name!r} of {src} has not run ({done}); '
                    'run that variant (or pipeline) first')
            os.makedirs(osp.dirname(own), exist_ok=True)
            shutil.copyfile(done, own)


def resolve(study: Config, work_dir: str, seeds=None, data_root=None):
    """Every run of the study, built but not run: ``{variant: {seed:
    (pipeline, reuse specs, run now)}}`` for the variant's seeds (or the
    study's) and ``seeds``; "run now" for ``seeds`` if given, else for the
    variant's. Stage names in overrides, stages, reuse and metrics are
    checked here (before anything runs)."""
    profile = load_profile(study.profile)
    profile.stages = list(profile.stages) + list(
        study.get('extra_stages', None) or [])
    out = {}
    for name, spec in study.variants.items():
        spec = spec or {}
        bad = sorted(set(spec) - set(VARIANT_KEYS))
        if bad:
            raise KeyError(f'variant {name!r}: unknown keys {bad} (expected '
                           f'some of {VARIANT_KEYS})')
        own = list(spec.get('seeds') or study.seeds)
        specs = spec.get('reuse') or []
        specs = [specs] if isinstance(specs, dict) else list(specs)
        for seed in sorted(set(own) | set(seeds or [])):
            pipe = Pipeline(
                profile,
                work_dir=osp.join(work_dir, name, f'seed{seed}'),
                data_root=data_root or study.get('data_root', None),
                stages=spec.get('stages', study.get('stages', None)),
                variables=dict(study.get('variables', None) or {},
                               **(spec.get('variables') or {}), seed=seed),
                overrides={k: dict(v) for k, v in
                           (spec.get('overrides') or {}).items()})
            for s in [n for r in specs for n in r['stages']] + [
                    m.partition('.')[0] for m in study.metrics]:
                pipe.stage(s)  # KeyError naming the profile's stages
            out.setdefault(name, {})[seed] = (pipe, specs,
                                              seed in (seeds or own))
    return out


def run_sweep(study: Config, work_dir: str, variants=None, seeds=None,
              data_root=None, dry_run=False) -> dict:
    """Run the study's variants x seeds (``variants`` / ``seeds``: only
    these); return ``{variant: {seed: results}}`` (each run's stage
    results) of every run found in ``work_dir``, run now or before."""
    names = list(study.variants)
    unknown = sorted(set(variants or []) - set(names))
    if unknown:
        raise ValueError(f'unknown variants {unknown}; the study has {names}')
    runs = {}
    for name, by_seed in resolve(study, work_dir, seeds, data_root).items():
        for seed, (pipe, specs, now) in by_seed.items():
            if now and (variants is None or name in variants):
                print(f'[sweep] {name} seed {seed} -> {pipe.work_dir}: '
                      f'{" ".join(pipe.selected)}', flush=True)
                if dry_run:
                    continue
                reuse(pipe, specs,
                      osp.join(work_dir, '{variant}', f'seed{seed}'))
                pipe.run()
            found = {s.name: pipe.result(s.name) for s in pipe.stages
                     if pipe.result(s.name) is not None}
            if found:
                runs.setdefault(name, {})[seed] = found
    return runs


def table(runs: dict, metrics, digits: int = 1) -> str:
    """Markdown table: a row per variant, mean ± sample std per metric; a
    cell over fewer seeds than its row's runs (a run not finished yet)
    says how many (``(n=2)``)."""
    lines = ['| variant | seeds | ' + ' | '.join(metrics) + ' |',
             '|---|---|' + '---|' * len(metrics)]
    for name, by_seed in runs.items():
        cells = []
        for m in metrics:
            vals = [lookup(r, m) for r in by_seed.values()]
            vals = [v for v in vals if v is not None]
            cell = format_mean_std(vals, digits) if vals else '-'
            if vals and len(vals) < len(by_seed):
                cell += f' (n={len(vals)})'
            cells.append(cell)
        lines.append(f'| {name} | {len(by_seed)} | ' + ' | '.join(cells) +
                     ' |')
    return '\n'.join(lines)


def main(argv=None):
    a = parse_args(argv)
    study = Config.fromfile(a.study)
    work = a.work_dir or study.get('work_dir', None) or osp.join(
        REPO, 'work_dirs', osp.splitext(osp.basename(a.study))[0])
    runs = run_sweep(study, work, a.variants, a.seeds, a.data_root,
                     a.dry_run)
    if a.dry_run:
        return runs
    text = table(runs, study.metrics, study.get('digits', 1))
    print(f'\n{text}\n(mean ± sample std over seeds)')
    write_text_atomic(osp.join(work, 'sweep.md'), text + '\n')
    write_json_atomic(osp.join(work, 'sweep.json'), {
        name: {str(seed): {m: lookup(r, m) for m in study.metrics}
               for seed, r in by_seed.items()}
        for name, by_seed in runs.items()})
    return runs


if __name__ == '__main__':
    main()
