"""Training-step time of DRS, Group-WSSS and extra segmentation losses.

One benchmark, three modes; each compares variants of one network with a
reference variant (the first listed) on random data (no weights, no
dataset: step time does not depend on the image content):

* ``drs``: the DRS classifier (``--backbone vgg16``: configs/drs/voc_cls.py,
  DRS after all 16 convs; ``efficientnet``: voc_cls_efficientnet-lite0.py,
  DRS on every ReLU6 or the last stage) against ``no-drs``. Variants:
  ``fixed`` / ``learnable`` (DRS with ``impl='compiled'``, the
  torch.compile kernels, into a new tensor), ``-inplace`` (the same in
  place), ``-eager`` (eager PyTorch ops), ``-native`` / ``-native-inplace``
  (the C kernels of ``mmdrs/models/layers/csrc/drs_cpu.c``), ``-default``
  (what the configs build: ``impl='auto'``, in place where the replaced
  ReLU was), ``naive`` (learnable DRS the paper's step-by-step way);
* ``group``: the Group-WSSS classifier against the plain CAM classifier
  (``--model efficientnet``: the toy configs; ``vgg16``: the VOC ones), at
  the same batch (a whole number of groups of 3);
* ``seg-loss``: a segmentation config as is (``plain``) against the same
  with an extra loss (``WSSSEncoderDecoder(extra_losses=[...])``): ``ocr``
  (OutOfCandidateLoss at the logits' resolution, its default),
  ``ocr-labels`` (the same at the labels'), ``self-training``
  (SelfTrainingLoss);
* ``layout``: any config's model (``--config``; classifier or segmentor,
  random weights) with its weights in the default NCHW memory format
  (``nchw``) against channels-last (``channels-last``, what
  ``ChannelsLastHook`` does to a run), on the config's first ``--batch``
  training images (default: its batch size) through its own pipeline;
  ``--forward-only`` times the forward pass alone (eval mode, no
  gradients: validation, testing, map generation) instead of the step.
* ``depthwise``: the same for a config whose backbone is
  EfficientNet-Lite, NCHW, with its depthwise convolutions on PyTorch's
  convolution (``pytorch``) against mmdrs's C kernels (``native``, the
  default: ``mmdrs/models/layers/depthwise_conv.py``).

Timing is the same in every mode. Each variant's model, SGD optimizer
(lr 1e-3, momentum 0.9) and fixed random batch are built once and take
one untimed first step (compiling, first touch). Each of ``--rounds``
rounds runs every variant, in a freshly shuffled order, for ``--warmup``
untimed and ``--steps`` timed full training steps (forward, loss,
backward, SGD update); a variant's time in a round is the median of its
timed steps, its ratio that time over the reference's in the same round
(paired). Printed: ms/step and ratio, each as mean ± sample std over the
rounds (:func:`mmdrs.utils.stats.mean_std`). The clock is this process's
CPU time, all its threads (``--clock cpu``, the default: on a machine
shared with other jobs wall time measures the scheduler as much as the
work) or ``--clock wall`` (an idle machine, a GPU); the thread count is
fixed (``--threads``) and printed with the load average.

``drs`` only: ``--share`` estimates the ratios from the activation layers'
share of each profiled step (``run_share``), ``--memory`` measures the
tensors autograd saves and the step's peak resident memory, one
subprocess per variant (``memory_child``), ``--per-step N`` times N
identical steps of the plain network one by one. The former DRS autograd
function, which saved its whole input for the backward (the ``-legacy``
variants of the former ``drs_train_step.py``), is in git history:
``tools/benchmarks/_drs_legacy.py`` at commit 418bea3.

The parts live in ``tools/benchmarks/step_bench/``: the timer
(``core.py``), each mode's networks (``drs.py``, ``group.py``,
``seg_loss.py``, ``layout.py``, ``depthwise.py``) and the ``drs`` extras
(``drs_share.py``, ``drs_memory.py``).

Usage:
    python tools/benchmarks/train_step.py drs --backbone vgg16 --size 224 \\
        --batch 2 --steps 3 --warmup 1 --rounds 4 [--threads 1] [--memory] \\
        [--share [--no-timing]] [--per-step 12] [--variants no-drs,fixed]
    python tools/benchmarks/train_step.py drs --backbone efficientnet \\
        [--placement all|last-stage] [--size 112] [--batch 16]
    python tools/benchmarks/train_step.py group [--model vgg16 --size 256 \\
        --batch 3 --width 0.25] [--num-classes 20]
    python tools/benchmarks/train_step.py seg-loss [--config \\
        configs/drs/toy/toy_deeplabv3plus_pseudo.py] [--size 112] [--batch 8]
    python tools/benchmarks/train_step.py layout [--config \\
        configs/drs/cpu/cpu_cls.py] [--batch 16] [--threads 1] \\
        [--cfg-options KEY=VALUE ...] [--forward-only]
    python tools/benchmarks/train_step.py depthwise [--config \\
        configs/drs/cpu/cpu_deeplabv3plus_full-sup.py] [--threads 2 \\
        --clock wall] [--forward-only]
"""
import argparse
import os
import os.path as osp
import sys

REPO = osp.join(osp.dirname(osp.abspath(__file__)), '..', '..')
sys.path.insert(0, REPO)

import torch  # noqa: E402
from mmengine.config import DictAction  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402

import mmdrs  # noqa: E402,F401
from mmdrs.utils import cpu_name  # noqa: E402
from step_bench import depthwise as depthwise_mode  # noqa: E402
from step_bench import drs as drs_mode  # noqa: E402
from step_bench import group as group_mode  # noqa: E402
from step_bench import layout as layout_mode  # noqa: E402
from step_bench import seg_loss as seg_loss_mode  # noqa: E402
from step_bench.core import (CLOCKS, build_trainers, run_per_step,  # noqa
                             run_timing)
from step_bench.drs_memory import memory_child, run_memory  # noqa: E402
from step_bench.drs_share import run_share  # noqa: E402

#: every mode's variants, the reference first, and its default selection
MODES = {'drs': drs_mode, 'group': group_mode, 'seg-loss': seg_loss_mode,
         'layout': layout_mode, 'depthwise': depthwise_mode}
VARIANTS = {m: mod.VARIANTS for m, mod in MODES.items()}
DEFAULT_VARIANTS = {m: mod.DEFAULT_VARIANTS for m, mod in MODES.items()}
#: every mode's network: ``builder(args, variant)`` -> (model, loss)
BUILDERS = {'drs': drs_mode.build_drs, 'group': group_mode.build_group,
            'seg-loss': seg_loss_mode.build_seg_loss,
            'layout': layout_mode.build_layout,
            'depthwise': depthwise_mode.build_depthwise}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    modes = p.add_subparsers(dest='mode', required=True)
    defaults = dict(drs=(3, 1, 4, 1), group=(5, 2, 2, 1),
                    **{'seg-loss': (3, 0, 7, 2)}, layout=(2, 1, 4, 1),
                    depthwise=(2, 1, 4, 1))
    sub = {}
    for mode, (steps, warmup, rounds, threads) in defaults.items():
        s = sub[mode] = modes.add_parser(mode, help=f'{mode} variants')
        s.add_argument('--variants', default=','.join(DEFAULT_VARIANTS[mode]),
                       help='comma-separated subset of '
                       f'{",".join(VARIANTS[mode])}')
        s.add_argument('--steps', type=int, default=steps,
                       help='timed steps per variant and round')
        s.add_argument('--warmup', type=int, default=warmup,
                       help='untimed steps per variant and round')
        s.add_argument('--rounds', type=int, default=rounds,
                       help='interleaved rounds (shuffled order each)')
        s.add_argument('--threads', type=int, default=threads,
                       help='torch.set_num_threads (fixed, printed)')
        s.add_argument('--clock', choices=list(CLOCKS), default='cpu',
                       help='cpu: CPU time of this process (robust to other '
                       'processes on a shared machine; CPU devices); wall')
        s.add_argument('--device', default='cpu')
        s.add_argument('--size', type=int, default=None,
                       help='square input side (default per network)')
        s.add_argument('--batch', type=int, default=None,
                       help='images per step (default per network)')
    s = sub['drs']
    s.add_argument('--backbone', choices=['vgg16', 'efficientnet'],
                   default='vgg16')
    s.add_argument('--placement', choices=['all', 'last-stage'],
                   default='all', help='EfficientNet: where DRS goes')
    s.add_argument('--memory', action='store_true',
                   help='also measure memory (one subprocess per variant)')
    s.add_argument('--no-timing', action='store_true',
                   help='skip the timing (with --memory / --share)')
    s.add_argument('--share', action='store_true',
                   help='also estimate the ratios from the activation '
                   "layers' share of each profiled step (see run_share)")
    s.add_argument('--per-step', type=int, default=0, metavar='N',
                   help='first time N identical steps of the plain network '
                   'one by one (wall / user / system time)')
    s.add_argument('--memory-child', default=None, help=argparse.SUPPRESS)
    s = sub['group']
    s.add_argument('--model', choices=list(group_mode.GROUP_CONFIGS),
                   default='efficientnet')
    s.add_argument('--num-classes', type=int, default=20)
    sub['seg-loss'].add_argument(
        '--config', default='configs/drs/toy/toy_deeplabv3plus_pseudo.py')
    for mode in ('layout', 'depthwise'):
        sub[mode].add_argument('--config',
                               default='configs/drs/cpu/cpu_cls.py')
        sub[mode].add_argument(
            '--cfg-options', nargs='+', action=DictAction, default={},
            help='config overrides, e.g. the maps a refiner config reads')
        sub[mode].add_argument(
            '--forward-only', action='store_true',
            help='time the forward pass alone (eval mode, no gradients): '
            'what validation, testing and map generation run')
    for mode in ('drs', 'group'):
        sub[mode].add_argument('--width', type=float, default=1.0,
                               help='VGG width')
    args = p.parse_args(argv)
    variants = [v for v in args.variants.split(',') if v]
    bad = [v for v in variants if v not in VARIANTS[args.mode]]
    if bad:
        sub[args.mode].error(f'unknown variants {bad}; choose from '
                             f'{list(VARIANTS[args.mode])}')
    ref = VARIANTS[args.mode][0]
    args.variants = [ref] + [v for v in variants if v != ref]
    if args.mode == 'drs':
        if args.share and 'naive' in variants:
            sub['drs'].error("--share cannot separate the ops of 'naive'")
        vgg = args.backbone == 'vgg16'
        args.size = args.size or (320 if vgg else 112)
        args.batch = args.batch or (5 if vgg else 16)
    elif args.mode == 'group':
        vgg = args.model == 'vgg16'
        args.size = args.size or (256 if vgg else 112)
        args.batch = args.batch or (3 if vgg else 15)
        if args.batch % 3:
            sub['group'].error('--batch must be a multiple of the group '
                               'size 3')
    elif args.mode == 'seg-loss':
        args.size = args.size or 112
        args.batch = args.batch or 8
    elif args.size:
        sub[args.mode].error(f"--size: the {args.mode} mode uses the "
                             "config's own pipeline")
    return args


def describe(args) -> str:
    if args.mode == 'drs':
        net = args.backbone + ('' if args.backbone == 'vgg16' else
                               f' (DRS: {args.placement})') + ' classifier'
    elif args.mode == 'group':
        net = (f'{args.model} classifier ({args.batch // 3} groups, '
               f'{args.num_classes} classes)')
    else:
        net = args.config
    shape = (f'{args.size}x{args.size}' if args.size else
             "the config's training images")
    return (f"{net}, batch {args.batch or 'as configured'}, {shape}, "
            f'{args.device} ({cpu_name()}, capability '
            f'{torch.backends.cpu.get_cpu_capability()}), torch '
            f'{torch.__version__}, threads {torch.get_num_threads()}, '
            f'clock {args.clock}')


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    init_default_scope('mmseg')
    if args.mode == 'drs':
        args.passthrough = [
            '--backbone', args.backbone, '--placement', args.placement,
            '--size', str(args.size), '--batch', str(args.batch), '--width',
            str(args.width), '--threads', str(args.threads), '--device',
            args.device
        ]
        if args.memory_child:
            return memory_child(args, args.memory_child)
    drs = args.mode == 'drs'
    timing = not (drs and args.no_timing)
    print(describe(args))
    print(f'{args.rounds} interleaved rounds x ({args.warmup} warm-up + '
          f'{args.steps} timed steps) per variant; load average before: '
          f'{" ".join(f"{v:.2f}" for v in os.getloadavg())}')
    out = {}
    if timing or (drs and (args.share or args.per_step)):
        trainers, first = build_trainers(BUILDERS[args.mode], args,
                                         args.variants)
    if drs and args.per_step:
        run_per_step(trainers['no-drs'], args.per_step)
    if timing:
        out['timing'] = run_timing(args, args.variants, trainers, first)
        print('load average after: '
              f'{" ".join(f"{v:.2f}" for v in os.getloadavg())}')
    if drs and args.share:
        print('in-step estimate (profiled steps; ratio = (1 - r) / (1 - s), '
              'r, s: share of the activation layers, plain / DRS)')
        out['share'] = run_share(args, args.variants, trainers)
    if drs and args.memory:
        out['memory'] = run_memory(args, args.variants,
                                   osp.abspath(__file__))
    return out


if __name__ == '__main__':
    main()
