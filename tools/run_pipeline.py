"""Run the whole WSSS pipeline, stage by stage, on the toy data or on VOC.

Stages (each skips itself when its outputs are complete and resumes when a
previous run was interrupted; ``--stages`` selects some):

``data``           toy VOC dataset (``tools/make_toy_voc.py``; toy only);
``no-drs``         plain-CAM baseline classifier;
``drs``            the DRS classifier (toy: fixed delta 0.7 in the head,
                   chosen by docs/drs_placement.md; VOC: the paper's
                   learnable DRS, ``configs/drs/voc_cls.py``);
``drs-learnable``  toy only: learnable delta at the same place;
``maps``           multi-scale maps of the DRS classifier for train_aug
                   (``tools/generate_maps.py``; the refinement targets) and
                   of the no-DRS one for ``train``, CAM mIoU on ``train``
                   (``tools/analysis/eval_maps.py``);
``refine``         refinement learning on the DRS maps
                   (``configs/drs/*refine.py``);
``refined-maps``   the refiner's maps for train_aug, their mIoU on ``train``;
``pseudo-labels``  pseudo labels from the refined maps (the paper's saliency
                   rules; a saliency-free threshold variant is scored too);
``segmentation``   DeepLab-V3+ (mmseg's config) trained on the pseudo labels,
                   mIoU on the real val masks;
``report``         results table (``<work-dir>/results.{md,json}``) and a
                   map grid (``<work-dir>/maps_grid.png``).

Every stage is an ordinary tool run (``tools/train.py``,
``tools/generate_maps.py`` ...) whose command is printed, so each can be
reproduced by hand. ``--data-root`` pointing at a real VOC2012 folder (with
SegmentationClassAug, ``trainaug`` split and SaliencyMaps) switches to the
VOC configs; ``--gpus N`` trains with ``tools/dist_train.sh``.
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)

from mmdrs.utils.stages import (run_stage, run_tool,  # noqa: E402
                                train_stage, write_json_atomic,
                                write_text_atomic)

PROFILES = dict(
    toy=dict(
        cls=[('no-drs', 'configs/drs/toy/toy_cls_no-drs.py',
              'plain CAM classifier'),
             ('drs', 'configs/drs/toy/toy_cls.py',
              'DRS classifier (head, delta 0.7)'),
             ('drs-learnable', 'configs/drs/toy/toy_cls_learnable.py',
              'DRS classifier (head, learnable delta)')],
        refine='configs/drs/toy/toy_refine.py',
        seg='configs/drs/toy/toy_deeplabv3plus_pseudo.py'),
    voc=dict(
        cls=[('no-drs', 'configs/drs/voc_cls_no-drs.py',
              'plain CAM classifier (VGG-16)'),
             ('drs', 'configs/drs/voc_cls.py',
              'DRS classifier (VGG-16, learnable delta)')],
        refine='configs/drs/voc_refine.py',
        seg='configs/drs/deeplabv3plus_r101-d8_voc12aug_pseudo.py'))
STAGES = [
    'data', 'no-drs', 'drs', 'drs-learnable', 'maps', 'refine',
    'refined-maps', 'pseudo-labels', 'segmentation', 'report'
]


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--work-dir', default='work_dirs/toy',
                   help='where every stage writes (default work_dirs/toy)')
    p.add_argument('--data-root', default='data/toy_voc',
                   help='toy dataset (generated if missing) or a VOC2012 '
                   'folder')
    p.add_argument('--stages', nargs='+', choices=STAGES, default=STAGES,
                   help='run only these stages (their inputs must exist)')
    p.add_argument('--toy-size', nargs=3, type=int,
                   default=(120, 60, 240), metavar=('TRAIN', 'VAL', 'AUG'),
                   help='toy split sizes')
    p.add_argument('--epochs', type=int, default=None,
                   help="override the classifier/refiner epochs")
    p.add_argument('--seg-iters', type=int, default=None,
                   help='override the segmentation iterations')
    p.add_argument('--gpus', type=int, default=1,
                   help='processes per training stage (dist_train.sh)')
    p.add_argument('--force', action='store_true',
                   help='re-run stages even when their outputs exist')
    return p.parse_args(argv)


def is_toy(data_root):
    return osp.isfile(osp.join(data_root, '.toy_voc.json')) or not osp.isdir(
        osp.join(data_root, 'SegmentationClassAug'))


def data_root_options(data_root):
    """``--cfg-options`` pointing a toy classifier config at a root."""
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


class Pipeline:
    """The stages, sharing paths and options."""

    def __init__(self, args):
        self.a = args
        self.w = args.work_dir
        self.toy = is_toy(args.data_root)
        self.profile = PROFILES['toy' if self.toy else 'voc']
        self.results = {}

    def path(self, *p):
        return osp.join(self.w, *p)

    def train(self, name, config, opts):
        if self.a.epochs is not None and name != 'segmentation':
            opts = opts + epoch_options(self.a.epochs)
        return train_stage(name, config, self.path(name), opts, self.a.force,
                           self.a.gpus)

    def recorded(self, name, out_dir=None):
        """A finished stage's result (this run's or its done-marker)."""
        if name not in self.results:
            done = osp.join(out_dir or self.path(name), 'stage_done.json')
            if not osp.isfile(done):
                return None
            with open(done) as f:
                self.results[name] = json.load(f)
        return self.results[name]

    def checkpoint(self, name):
        res = self.recorded(name)
        if res is None:
            raise RuntimeError(f'stage {name} has not run yet (no '
                               f'{self.path(name, "stage_done.json")})')
        return res['checkpoint']

    def maps(self, name, config, ckpt, out, split='trainaug'):
        """Maps of ``split``, evaluated on train (both protocols)."""
        from mmdrs.apis import evaluate_maps
        root = self.a.data_root

        def fn():
            cmd = [sys.executable, 'tools/generate_maps.py', config, ckpt,
                   '--out-dir', out, '--split', split, '--cfg-options',
                   f'test_dataloader.dataset.data_root={root}']
            if self.a.gpus > 1:
                cmd = ['bash', 'tools/dist_generate_maps.sh', config, ckpt,
                       str(self.a.gpus)] + cmd[4:]
            run_tool(name, cmd, out + '.log')
            ev = evaluate_maps(out, root, 'train',
                               saliency_dir='SaliencyMaps')
            return {
                'maps': out, 'cam/mIoU': round(ev['mIoU'], 2),
                'cam/best_threshold': ev['best_threshold'],
                'cam/sal_mIoU': round(ev['sal_mIoU'], 2)
            }

        return run_stage(name, out, fn, self.a.force)

    def run(self):
        a, root, st = self.a, self.a.data_root, self.a.stages
        os.makedirs(self.w, exist_ok=True)
        t_all = time.time()
        if 'data' in st and self.toy:
            from mmdrs.datasets.toy_voc import make_toy_voc
            t0 = time.time()
            make_toy_voc(root, *a.toy_size)
            print(f'[pipeline] data: toy VOC at {root} '
                  f'({time.time() - t0:.1f} s)', flush=True)
        cls = self.profile['cls']
        for name, config, _ in cls:
            if name in st:
                opts = data_root_options(root)
                self.results[name] = self.train(name, config, opts)
        cls_cfg = {n: c for n, c, _ in cls}
        if 'maps' in st:
            # the DRS maps of train_aug are the refinement targets; the
            # plain classifier's are for comparison: train split only
            for name, split in (('no-drs', 'train'), ('drs', 'trainaug')):
                self.results[f'maps-{name}'] = self.maps(
                    f'maps-{name}', cls_cfg[name], self.checkpoint(name),
                    self.path('maps', name), split)
        refine_cfg = self.profile['refine']
        if 'refine' in st:
            self.results['refine'] = self.train('refine', refine_cfg, [
                f'train_dataloader.dataset.data_root={root}',
                'train_dataloader.dataset.pipeline.1.maps_dir=' +
                self.path('maps', 'drs'),
                f'val_dataloader.dataset.data_root={root}',
                f'test_dataloader.dataset.data_root={root}'
            ])
        if 'refined-maps' in st:
            self.results['refined-maps'] = self.maps(
                'refined-maps', refine_cfg, self.checkpoint('refine'),
                self.path('maps', 'refined'))
        pseudo = self.path('pseudo_labels')
        if 'pseudo-labels' in st:
            self.pseudo_labels(pseudo)
        if 'segmentation' in st:
            opts = [
                f'train_dataloader.dataset.data_root={root}',
                f'train_dataloader.dataset.pipeline.1.pseudo_dir={pseudo}',
                f'val_dataloader.dataset.data_root={root}',
                f'test_dataloader.dataset.data_root={root}'
            ]
            if a.seg_iters:
                opts += [f'train_cfg.max_iters={a.seg_iters}',
                         f'train_cfg.val_interval={a.seg_iters}',
                         f'default_hooks.checkpoint.interval={a.seg_iters}',
                         f'param_scheduler.0.end={a.seg_iters}']
            self.results['segmentation'] = self.train(
                'segmentation', self.profile['seg'], opts)
        if 'report' in st:
            self.report(t_all)

    def pseudo_labels(self, out):
        from mmdrs.apis.pseudo_labels import make_pseudo_labels
        root, maps = self.a.data_root, self.path('maps', 'refined')

        def fn():
            res = make_pseudo_labels(maps, root, out, split='trainaug')
            # saliency-free variant at the maps' best background threshold
            refined = self.recorded('refined-maps',
                                    self.path('maps', 'refined'))
            bg = refined['cam/best_threshold'] if refined else 0.15
            thr = make_pseudo_labels(maps, root, out + '_threshold',
                                     split='trainaug', mode='constant',
                                     bg_score=bg)
            return {
                'pseudo/mIoU': res['mIoU'],
                'pseudo/ignored_pct': res['ignored_pct'],
                'pseudo_threshold/mIoU': thr['mIoU'],
                'pseudo_threshold/bg_score': bg
            }

        self.results['pseudo-labels'] = run_stage('pseudo-labels', out, fn,
                                                  self.a.force)

    def report(self, t_start):
        names = [n for n in ('no-drs', 'drs', 'refined')
                 if osp.isfile(self.path('maps', n, 'stage_done.json'))]
        if names:
            run_tool('report', [
                sys.executable, 'tools/analysis/visualize_maps.py',
                *[self.path('maps', n) for n in names], '--names', *names,
                '--data-root', self.a.data_root, '--num', '6', '--out',
                self.path('maps_grid.png')
            ], self.path('report.log'))
        # every finished stage, whether it ran now or earlier
        for name, _, _ in self.profile['cls']:
            self.recorded(name)
        for name in ('no-drs', 'drs'):
            self.recorded(f'maps-{name}', self.path('maps', name))
        self.recorded('refine')
        self.recorded('refined-maps', self.path('maps', 'refined'))
        self.recorded('pseudo-labels', self.path('pseudo_labels'))
        self.recorded('segmentation')
        rows = self.table_rows()
        lines = ['| stage | what | mIoU | details | time (s) |',
                 '|---|---|---|---|---|']
        lines += [f'| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]} |'
                  for r in rows]
        table = '\n'.join(lines)
        print('\n' + table)
        wall = time.time() - t_start
        print(f'\n[pipeline] wall time of this run {wall:.1f} s; stage times '
              f'add up to {sum(r[4] for r in rows):.1f} s')
        write_text_atomic(self.path('results.md'), table + '\n')
        write_json_atomic(self.path('results.json'), self.results)

    def table_rows(self):
        desc = {n: d for n, _, d in self.profile['cls']}
        order = [n for n, _, _ in self.profile['cls']] + [
            'maps-no-drs', 'maps-drs', 'refine', 'refined-maps',
            'pseudo-labels', 'segmentation'
        ]
        rows = []
        for name in order:
            r = self.results.get(name)
            if r is None:
                continue
            if name in desc:
                rows.append((name, desc[name] + '; CAM mIoU on train, 1 '
                             'scale, best bg threshold', r.get('cam/mIoU'),
                             f"bg {r.get('cam/best_threshold')}, saliency "
                             f"protocol {r.get('cam/sal_mIoU')}, mAP "
                             f"{r.get('cls/mAP')}", r['seconds']))
            elif name.startswith('maps') or name == 'refined-maps':
                what = ('refined maps' if name == 'refined-maps' else
                        f'{name[5:]} maps') + ', 3 scales, mIoU on train'
                rows.append((name, what, r.get('cam/mIoU'),
                             f"bg {r.get('cam/best_threshold')}, saliency "
                             f"protocol {r.get('cam/sal_mIoU')}",
                             r['seconds']))
            elif name == 'refine':
                rows.append((name, 'refinement network (val: its maps on '
                             'train, 1 scale)', r.get('cam/mIoU'),
                             f"saliency protocol {r.get('cam/sal_mIoU')}",
                             r['seconds']))
            elif name == 'pseudo-labels':
                rows.append((name, 'pseudo labels (saliency rules) vs '
                             'train_aug masks', r.get('pseudo/mIoU'),
                             f"{r.get('pseudo/ignored_pct')} % ignored; "
                             'without saliency (bg '
                             f"{r.get('pseudo_threshold/bg_score')}) "
                             f"{r.get('pseudo_threshold/mIoU')}",
                             r['seconds']))
            elif name == 'segmentation':
                rows.append((name, 'DeepLab-V3+ on pseudo labels, val mIoU '
                             '(real masks)', r.get('mIoU'),
                             f"aAcc {r.get('aAcc')}", r['seconds']))
        return rows


def main(argv=None):
    Pipeline(parse_args(argv)).run()


if __name__ == '__main__':
    main()
