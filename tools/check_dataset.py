# Copyright (c) mmdrs contributors.
"""Check a VOC-layout folder before a long run; exit 1 on any problem.

Reports, per split, missing or unreadable images, missing masks, masks of
another size or with values outside the class list (``classes.txt`` or
VOC's), images without any foreground class, and missing or mis-sized
saliency maps - each with its file name; with ``--profile``, also every
list file, folder, image and mask that the profile's training configs read,
and every training stage whose config lacks what binding it to the run
needs, e.g. a segmentation config without a ``LoadPseudoLabels`` transform
(what its pipeline's first stage checks)::

    python tools/check_dataset.py data/my_voc [--splits train trainaug val]
        [--profile cpu]
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..'))

from mmdrs.datasets.dataset_check import (DEFAULT_SPLITS,  # noqa: E402
                                          check_voc_folder)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('data_root', help='VOC-layout folder')
    p.add_argument('--splits', nargs='+', default=list(DEFAULT_SPLITS),
                   help='splits to check (default: train trainaug val)')
    p.add_argument('--seg-dir', default='SegmentationClassAug',
                   help='mask folder')
    p.add_argument('--saliency-dir', default='SaliencyMaps',
                   help='saliency folder, checked when it exists')
    p.add_argument('--allow-empty', nargs='*', default=['val'],
                   help='splits whose images may have no foreground class '
                   '(default: val)')
    p.add_argument('--profile',
                   help='also check what this pipeline profile reads and '
                   "its stages' bindings (cpu | voc | a profile file)")
    p.add_argument('--max-report', type=int, default=50,
                   help='problems printed (all go to --json)')
    p.add_argument('--json', help='write the full report here')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    rep = check_voc_folder(args.data_root, args.splits,
                           seg_dir=args.seg_dir,
                           saliency_dir=args.saliency_dir,
                           allow_empty=args.allow_empty)
    if args.profile:
        from mmdrs.pipeline import Pipeline, load_profile
        from mmdrs.pipeline.stages.data import config_problems
        pipe = Pipeline(load_profile(args.profile), work_dir='unused',
                        data_root=args.data_root)
        rep['problems'] += config_problems(pipe)
        rep['ok'] = not rep['problems']
    print(f'{args.data_root}: {len(rep["classes"])} classes '
          f'({", ".join(rep["classes"][:8])}'
          f'{", ..." if len(rep["classes"]) > 8 else ""}); images per split '
          f'{rep["splits"]}; saliency maps: '
          f'{"yes" if rep["saliency"] else "no (threshold background)"}')
    for p in rep['problems'][:args.max_report]:
        print('  ' + p)
    if len(rep['problems']) > args.max_report:
        print(f'  ... and {len(rep["problems"]) - args.max_report} more')
    if args.json:
        from mmdrs.utils.atomic import write_json_atomic
        write_json_atomic(args.json, rep)
    if rep['ok']:
        print('OK')
        return 0
    print(f'{len(rep["problems"])} problem(s)')
    return 1


if __name__ == '__main__':
    sys.exit(main())
