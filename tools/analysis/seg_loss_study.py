"""Extra segmentation losses vs the plain stage on the same pseudo labels.

Trains the toy DeepLab-V3+ pseudo-label config as is (``baseline``), with
OutOfCandidateLoss (``ocr``, ``configs/ocr/``) and with the DRS authors'
self-training term (``self-training``) for several seeds at equal
iterations, and reports val mIoU, the share of val pixels predicted out of
candidate (``oc/pixel_pct``) and the training-step time ratio, each as mean
and spread over the seeds. Runs are resumable (``mmdrs.pipeline.tool_runs``)::

    python tools/analysis/seg_loss_study.py \
        --pseudo-dir work_dirs/toy/pseudo-labels --data-root data/toy_voc \
        --seeds 0 1 2 --out work_dirs/seg_loss_study
"""
import argparse
import os.path as osp
import statistics
import sys

REPO = osp.join(osp.dirname(osp.abspath(__file__)), '..', '..')
sys.path.insert(0, REPO)

from mmengine.config import Config  # noqa: E402

from mmdrs.pipeline.binding import (data_options,  # noqa: E402
                                    iteration_options, transform_options)
from mmdrs.pipeline.tool_runs import train_stage  # noqa: E402
from mmdrs.utils.atomic import (write_json_atomic,  # noqa: E402
                                write_text_atomic)

VARIANTS = dict(
    baseline='configs/drs/toy/toy_deeplabv3plus_pseudo.py',
    ocr='configs/ocr/toy_deeplabv3plus_pseudo_ocr.py',
    **{'self-training':
       'configs/drs/toy/toy_deeplabv3plus_pseudo_selftrain.py'})


def mean_spread(values):
    """'mean ± sample std' (± 0 for one value)."""
    values = [v for v in values if v is not None]
    if not values:
        return 'n/a'
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f'{statistics.mean(values):.2f} ± {sd:.2f}'


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--pseudo-dir', required=True, help='pseudo labels')
    p.add_argument('--data-root', default='data/toy_voc')
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--iters', type=int, default=None,
                   help="iterations (default: the config's 400)")
    p.add_argument('--variants', nargs='+', default=list(VARIANTS),
                   choices=list(VARIANTS))
    p.add_argument('--out', default='work_dirs/seg_loss_study')
    args = p.parse_args(argv)
    if 'baseline' not in args.variants:
        args.variants.insert(0, 'baseline')  # the reference of the ratios
    runs = {}
    for seed in args.seeds:
        for name in args.variants:
            config = VARIANTS[name]
            cfg = Config.fromfile(osp.join(REPO, config))
            opts = data_options(cfg, args.data_root) + transform_options(
                cfg, 'LoadPseudoLabels', 'pseudo_dir', args.pseudo_dir)
            opts.append(f'randomness.seed={seed}')
            if args.iters:
                opts += iteration_options(args.iters)
            run = f'{name}_seed{seed}'
            res = train_stage(run, config, osp.join(args.out, run), opts)
            runs[run] = res
            print(f'{run}: mIoU {res.get("mIoU")} OC pixels '
                  f'{res.get("oc/pixel_pct")} % step '
                  f'{res.get("train_iter_time")} s', flush=True)
    rows = ['| variant | val mIoU | OC pixels (% of val) | OC images (%) | '
            's/iter | step time vs baseline |', '|---|---|---|---|---|---|']
    base_t = [runs[f'baseline_seed{s}'].get('train_iter_time')
              for s in args.seeds]
    for name in args.variants:
        rs = [runs[f'{name}_seed{s}'] for s in args.seeds]
        times = [r.get('train_iter_time') for r in rs]
        ratios = [t / b for t, b in zip(times, base_t) if t and b]
        rows.append(
            f'| {name} | {mean_spread([r.get("mIoU") for r in rs])} | '
            f'{mean_spread([r.get("oc/pixel_pct") for r in rs])} | '
            f'{mean_spread([r.get("oc/image_pct") for r in rs])} | '
            f'{mean_spread(times)} | '
            f'{statistics.mean(ratios):.3f}x |')
    table = '\n'.join(rows)
    print(f'\n{len(args.seeds)} seeds ({args.seeds}), mean ± sample std:\n'
          + table)
    write_text_atomic(osp.join(args.out, 'seg_loss_study.md'), table + '\n')
    write_json_atomic(osp.join(args.out, 'seg_loss_study.json'), runs)


if __name__ == '__main__':
    main()
