"""Run the whole WSSS pipeline of a profile, stage by stage.

A profile (``configs/pipelines/<name>.py`` or any file) lists the stages:
registered stage types (``mmdrs/pipeline/stages/``) with their configs.
Shipped profiles:

``toy``  the demo (``make demo``): the embedded toy VOC, generated;
``cpu``  any VOC-layout folder (``--data-root``) on the CPU-friendly
         ImageNet EfficientNet-Lite0 backbone; ``--img-size``, ``--epochs``,
         ``--seg-iters`` scale it;
``voc``  the paper on PASCAL VOC 2012 (VGG-16 D1, DeepLab-V3+).

Every stage is an ordinary tool run (``tools/train.py``,
``tools/generate_maps.py`` ...) whose command is printed, skips itself when
its outputs are complete and resumes when interrupted. The last stage
writes ``<work-dir>/results.{md,json}`` and ``<work-dir>/maps_grid.png``::

    python tools/run_pipeline.py                       # the toy demo
    python tools/run_pipeline.py --profile cpu --data-root data/my_voc
    python tools/run_pipeline.py --profile voc --gpus 4
"""
import argparse
import ast
import os.path as osp
import sys

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)

from mmdrs.pipeline import Pipeline, load_profile  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--profile', default='toy',
                   help='toy | cpu | voc | a profile file (default toy)')
    p.add_argument('--work-dir', help="where every stage writes (default: "
                   "the profile's)")
    p.add_argument('--data-root', help="the VOC-layout folder (default: the "
                   "profile's; the toy profile generates it)")
    p.add_argument('--stages', nargs='+',
                   help='run only these stages (their inputs must exist)')
    p.add_argument('--img-size', type=int,
                   help='square image size of the cpu/toy recipes')
    p.add_argument('--epochs', type=int,
                   help='classifier/refiner epochs')
    p.add_argument('--seg-iters', type=int,
                   help='segmentation iterations')
    p.add_argument('--seed', type=int,
                   help="every training stage's random seed (default: the "
                   "configs' own)")
    p.add_argument('--toy-size', nargs=3, type=int,
                   metavar=('TRAIN', 'VAL', 'AUG'),
                   help='toy split sizes (toy profile)')
    p.add_argument('--set', nargs='+', default=[], metavar='STAGE.ARG=VALUE',
                   help='change a stage argument, e.g. segmentation.config='
                   'configs/ocr/toy_deeplabv3plus_pseudo_ocr.py')
    p.add_argument('--gpus', type=int, default=1,
                   help='processes per training / map job')
    p.add_argument('--force', action='store_true',
                   help='re-run stages even when their outputs exist')
    return p.parse_args(argv)


def parse_overrides(items):
    """``['stage.arg=value', ...]`` -> ``{stage: {arg: value}}``; a value
    that is a Python literal (``None``, ``0.7``, ``['maps-drs']``) is that
    literal, anything else the string (a config path, a stage name)."""
    out = {}
    for item in items:
        key, sep, value = item.partition('=')
        stage, dot, arg = key.rpartition('.')
        if not sep or not dot or not stage or not arg:
            raise ValueError(f'--set {item!r}: expected STAGE.ARG=VALUE')
        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            pass
        out.setdefault(stage, {})[arg] = value
    return out


def main(argv=None):
    a = parse_args(argv)
    pipe = Pipeline(
        load_profile(a.profile),
        work_dir=a.work_dir,
        data_root=a.data_root,
        stages=a.stages,
        gpus=a.gpus,
        force=a.force,
        variables=dict(img_size=a.img_size, epochs=a.epochs,
                       seg_iters=a.seg_iters, seed=a.seed,
                       toy_size=tuple(a.toy_size) if a.toy_size else None),
        overrides=parse_overrides(a.set))
    pipe.run()


if __name__ == '__main__':
    main()
