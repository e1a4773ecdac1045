# Copyright (c) mmdrs contributors.
"""RRM one-step vs DRS pseudo labels -> DeepLab, on the same toy data.

For each seed: train ``configs/rrm/toy_rrm_efficientnet-lite0.py`` on the
toy data (image labels only), take its val mIoU (mmseg's IoUMetric, real
masks), then score the reliable labels the trained model makes on the
``train`` images (its multi-scale CAMs -> the labeler, no augmentation)
against their masks: precision (correct share of labelled pixels) and
coverage (labelled share). The DRS side is read from finished toy pipeline
work dirs (``tools/run_pipeline.py --profile toy_rrm``: DRS pseudo labels,
their precision/coverage, DeepLab-V3+ val mIoU, and the reliable-region
rule on DRS maps). Mean and spread over what ran::

    python tools/analysis/rrm_study.py --seeds 0 1 2 \
        --pipeline-dirs work_dirs/toy [--data-root data/toy_voc]

Writes ``<work-dir>/rrm_study.{json,md}``.
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

import numpy as np  # noqa: E402
import torch  # noqa: E402

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = 'configs/rrm/toy_rrm_efficientnet-lite0.py'


def train(seed, work_dir, data_root, iters):
    from mmengine.config import Config

    from mmdrs.pipeline.binding import one_step_iteration_options
    from mmdrs.pipeline.train_results import last_val_metrics
    done = osp.join(work_dir, 'last_checkpoint')
    opts = [f'randomness.seed={seed}', f'data_root={data_root}']
    for loader in ('train_dataloader.dataset.datasets.0',
                   'train_dataloader.dataset.datasets.1',
                   'val_dataloader.dataset', 'test_dataloader.dataset'):
        opts.append(f'{loader}.data_root={data_root}')
    if iters:
        opts += one_step_iteration_options(
            Config.fromfile(osp.join(REPO, CONFIG)), iters)
    if not osp.isfile(done):
        subprocess.run([
            sys.executable, osp.join(REPO, 'tools', 'train.py'),
            osp.join(REPO, CONFIG), '--work-dir', work_dir,
            '--cfg-options', *opts
        ], check=True)
    with open(done) as f:
        ckpt = f.read().strip()
    return last_val_metrics(work_dir), ckpt, opts


@torch.no_grad()
def reliable_label_scores(ckpt, opts, data_root, split='train', limit=None):
    """Precision / coverage / mIoU of the trained model's reliable labels
    on ``split`` (test pipeline, no augmentation)."""
    from mmengine.config import Config
    from mmengine.dataset import Compose
    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint
    from mmseg.registry import MODELS

    from mmdrs.apis.map_evaluation import voc_split_dataset
    from mmdrs.evaluation.functional import (label_confusion, label_miou,
                                             label_precision_coverage)
    from mmdrs.models.utils.cam import stack_image_labels
    init_default_scope('mmseg')
    cfg = Config.fromfile(osp.join(REPO, CONFIG))
    cfg.merge_from_dict(
        {o.split('=')[0]: o.split('=')[1]
         for o in opts if o.startswith('model.')})
    model = MODELS.build(cfg.model)
    load_checkpoint(model, ckpt, map_location='cpu')
    model.eval()
    dataset = voc_split_dataset(data_root, split, 'SegmentationClassAug')
    n = len(dataset.metainfo['classes'])
    pipe = Compose(cfg.test_pipeline)
    conf = 0
    for i in range(min(len(dataset), limit or len(dataset))):
        data = pipe(dict(dataset.get_data_info(i)))
        batch = model.data_preprocessor(
            dict(inputs=[data['inputs']], data_samples=[data['data_samples']]),
            False)
        x, samples = batch['inputs'], batch['data_samples']
        tags = stack_image_labels(samples, model.num_fg_classes)
        ncam = model.predict_cams(x, samples)
        label = model.labeler(ncam, model._images(x), tags)[0]
        gt = samples[0].gt_sem_seg.data[0]
        if gt.shape != label.shape:
            label = torch.nn.functional.interpolate(
                label[None, None].float(), size=gt.shape,
                mode='nearest')[0, 0].long()
        conf = conf + label_confusion(label, gt, n)
    precision, coverage = label_precision_coverage(conf)
    return dict(precision=round(precision, 2), coverage=round(coverage, 2),
                mIoU=round(label_miou(conf), 2))


def score_label_dir(label_dir, data_root, split='trainaug'):
    """Precision / coverage / mIoU of a folder of label PNGs vs masks."""
    from mmcv import imread

    from mmdrs.apis.map_evaluation import voc_split_dataset
    from mmdrs.evaluation.functional import (label_confusion, label_miou,
                                             label_precision_coverage)
    dataset = voc_split_dataset(data_root, split, 'SegmentationClassAug')
    n = len(dataset.metainfo['classes'])
    conf = 0
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        stem = osp.splitext(osp.basename(info['img_path']))[0]
        path = osp.join(label_dir, stem + '.png')
        if not osp.isfile(path) or not osp.isfile(info['seg_map_path']):
            continue
        label = imread(path, flag='unchanged', backend='pillow')
        gt = imread(info['seg_map_path'], flag='unchanged', backend='pillow')
        conf = conf + label_confusion(label, gt, n)
    if isinstance(conf, int):
        return {}
    precision, coverage = label_precision_coverage(conf)
    return dict(precision=round(precision, 2), coverage=round(coverage, 2),
                mIoU=round(label_miou(conf), 2))


def pipeline_numbers(work_dir, data_root):
    path = osp.join(work_dir, 'results.json')
    if osp.isfile(path):
        with open(path) as f:
            res = json.load(f)
    else:  # no report yet: the stages' done-markers
        from mmdrs.pipeline.markers import read_done_marker
        res = {}
        for stage in ('pseudo-labels', 'segmentation', 'rrm',
                      'pseudo-labels-reliable', 'segmentation-reliable'):
            done = read_done_marker(osp.join(work_dir, stage))
            if done is not None:
                res[stage] = done
        if not res:
            return None
    out = {}
    seg = res.get('segmentation') or {}
    pl = res.get('pseudo-labels') or {}
    out['drs_deeplab_mIoU'] = seg.get('mIoU')
    out['drs_pseudo_mIoU'] = pl.get('pseudo/mIoU')
    out['drs_pseudo_ignored_pct'] = pl.get('pseudo/ignored_pct')
    if pl.get('labels') and osp.isdir(pl['labels']):
        sc = score_label_dir(pl['labels'], data_root)
        out['drs_pseudo_precision'] = sc.get('precision')
        out['drs_pseudo_coverage'] = sc.get('coverage')
    rel = res.get('pseudo-labels-reliable') or {}
    if rel.get('labels') and osp.isdir(rel['labels']):
        sc = score_label_dir(rel['labels'], data_root)
        rel = dict(rel, **{'pseudo/precision': sc.get('precision'),
                           'pseudo/coverage': sc.get('coverage')})
    out['reliable_on_drs_precision'] = rel.get('pseudo/precision')
    out['reliable_on_drs_coverage'] = rel.get('pseudo/coverage')
    out['reliable_on_drs_mIoU'] = rel.get('pseudo/mIoU')
    segr = res.get('segmentation-reliable') or {}
    out['reliable_on_drs_deeplab_mIoU'] = segr.get('mIoU')
    out['rrm_pipeline_mIoU'] = (res.get('rrm') or {}).get('mIoU')
    out['seconds'] = {k: round(v.get('seconds', 0), 1)
                      for k, v in res.items() if isinstance(v, dict)}
    return out


def mean_spread(values):
    vals = [v for v in values if v is not None]
    if not vals:
        return 'n/a'
    if len(vals) == 1:
        return f'{vals[0]:.2f} (1 run)'
    return (f'{np.mean(vals):.2f} ± {np.std(vals):.2f} '
            f'(n={len(vals)}, min {min(vals):.2f}, max {max(vals):.2f})')


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--data-root', default='data/toy_voc')
    p.add_argument('--work-dir', default='work_dirs/rrm_study')
    p.add_argument('--iters', type=int, help='RRM iterations (default: '
                   "the config's 1,200)")
    p.add_argument('--pipeline-dirs', nargs='*', default=[],
                   help='finished toy(_rrm) pipeline work dirs (DRS side)')
    a = p.parse_args()
    os.makedirs(a.work_dir, exist_ok=True)
    runs = []
    for seed in a.seeds:
        wd = osp.join(a.work_dir, f'seed{seed}')
        metrics, ckpt, opts = train(seed, wd, a.data_root, a.iters)
        rel = reliable_label_scores(ckpt, opts, a.data_root)
        runs.append(dict(seed=seed, val_mIoU=metrics.get('mIoU'),
                         train_iter_time=metrics.get('train_iter_time'),
                         reliable=rel))
        print(runs[-1])
    drs = [d for d in (pipeline_numbers(w, a.data_root)
                       for w in a.pipeline_dirs) if d]
    res = dict(data=a.data_root, rrm=runs, drs=drs)
    rows = [
        ('RRM one-step: val mIoU', [r['val_mIoU'] for r in runs]),
        ('RRM reliable labels (train): precision',
         [r['reliable']['precision'] for r in runs]),
        ('RRM reliable labels (train): coverage',
         [r['reliable']['coverage'] for r in runs]),
        ('DRS pseudo labels -> DeepLab-V3+: val mIoU',
         [d['drs_deeplab_mIoU'] for d in drs]),
        ('DRS pseudo labels (trainaug): mIoU',
         [d['drs_pseudo_mIoU'] for d in drs]),
        ('DRS pseudo labels (trainaug): precision',
         [d.get('drs_pseudo_precision') for d in drs]),
        ('DRS pseudo labels (trainaug): coverage',
         [d.get('drs_pseudo_coverage') for d in drs]),
        ('reliable rule on DRS maps (trainaug): precision',
         [d['reliable_on_drs_precision'] for d in drs]),
        ('reliable rule on DRS maps (trainaug): coverage',
         [d['reliable_on_drs_coverage'] for d in drs]),
        ('reliable rule on DRS maps -> DeepLab-V3+: val mIoU',
         [d['reliable_on_drs_deeplab_mIoU'] for d in drs]),
    ]
    table = ['| what | mean ± std |', '|---|---|'] + [
        f'| {name} | {mean_spread(vals)} |' for name, vals in rows
    ]
    text = '\n'.join(table)
    print(text)
    with open(osp.join(a.work_dir, 'rrm_study.json'), 'w') as f:
        json.dump(res, f, indent=1)
    with open(osp.join(a.work_dir, 'rrm_study.md'), 'w') as f:
        f.write(text + '\n')


if __name__ == '__main__':
    main()
