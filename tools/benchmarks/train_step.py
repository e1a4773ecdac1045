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
  (OutOfCandidateLoss), ``self-training`` (SelfTrainingLoss).

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
share of each profiled step (:func:`run_share`), ``--memory`` measures the
tensors autograd saves and the step's peak resident memory, one
subprocess per variant (:func:`memory_child`), ``--per-step N`` times N
identical steps of the plain network one by one. The DRS function before
issue 17 (the ``-legacy`` variants of the former ``drs_train_step.py``)
is in git history: ``tools/benchmarks/_drs_legacy.py`` at commit 418bea3.

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
"""
import argparse
import json
import os
import os.path as osp
import random
import statistics
import subprocess
import sys
import time

REPO = osp.join(osp.dirname(osp.abspath(__file__)), '..', '..')
sys.path.insert(0, REPO)

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmseg.registry import MODELS  # noqa: E402

import mmdrs  # noqa: E402,F401
from mmdrs.utils.stats import format_mean_std  # noqa: E402

#: cpu: this process's CPU time, all its threads
CLOCKS = dict(cpu=time.process_time, wall=time.perf_counter)
#: every mode's variants, the reference first, and its default selection
VARIANTS = {
    'drs': ('no-drs', 'fixed', 'learnable', 'fixed-inplace',
            'learnable-inplace', 'fixed-eager', 'learnable-eager',
            'fixed-native', 'learnable-native', 'fixed-native-inplace',
            'learnable-native-inplace', 'fixed-default', 'learnable-default',
            'naive'),
    'group': ('plain', 'group'),
    'seg-loss': ('plain', 'ocr', 'self-training'),
}
DEFAULT_VARIANTS = {
    'drs': ('no-drs', 'fixed', 'learnable', 'fixed-inplace',
            'learnable-inplace', 'fixed-default', 'learnable-default',
            'naive'),
    'group': VARIANTS['group'],
    'seg-loss': VARIANTS['seg-loss'],
}


class Trainer:
    """A model, its optimizer and a fixed batch: the one timed step.

    Args:
        model (torch.nn.Module): The network, in training mode.
        loss (Callable): ``loss(model)`` -> the scalar loss of the batch.
        device (str): Device of the model and batch.
    """

    def __init__(self, model, loss, device='cpu'):
        self.dev = torch.device(device)
        self.model = model.to(self.dev).train()
        self.loss = loss
        self.opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)

    def step(self, clock=time.perf_counter) -> float:
        """One training step; returns its time in seconds on ``clock``."""
        if self.dev.type == 'cuda':
            torch.cuda.synchronize()
        t0 = clock()
        loss = self.loss(self.model)
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        if self.dev.type == 'cuda':
            torch.cuda.synchronize()
        return clock() - t0


def _sum_losses(losses: dict):
    return sum(v for k, v in losses.items() if 'loss' in k)


# -- drs ----------------------------------------------------------------
class _Naive(torch.nn.Module):
    """A :class:`DRS` computed the paper's step-by-step way (autograd)."""

    def __init__(self, drs):
        super().__init__()
        self.drs = drs

    def forward(self, x):
        from mmdrs.models import drs_reference
        d = self.drs
        idx = d._call % len(d.active_calls)
        d._call += 1
        act = F.relu6 if d.act == 'relu6' else F.relu
        if not d.active_calls[idx]:
            return act(x)
        delta = d.delta
        if d.learnable:
            fc = d.suppression_controller[idx]
            delta = torch.sigmoid(fc(act(x).mean((2, 3))))[..., None, None]
        if d.act == 'relu6':
            x = F.relu6(x)
        return drs_reference(x, delta)


def build_drs(args, variant):
    """The DRS classifier of ``variant`` and its loss on a random batch."""
    from mmdrs.models import DRS
    if args.backbone == 'vgg16':
        cfg = Config.fromfile(osp.join(REPO, 'configs/drs/voc_cls.py'))
        inner = cfg.model.backbone.backbone
        inner.width = args.width
        ch = int(round(512 * args.width))
        cfg.model.cam_head.update(in_channels=ch, channels=ch)
    else:
        cfg = Config.fromfile(
            osp.join(REPO, 'configs/drs/voc_cls_efficientnet-lite0.py'))
        inner = cfg.model.backbone.backbone
        if args.placement == 'all':
            cfg.model.backbone.targets = ['*']
            cfg.model.backbone.pop('call_indices', None)
        cfg.model.cam_head.channels = 256
    inner.init_cfg = None
    kind, _, how = variant.partition('-')
    drs = None
    if variant != 'no-drs':  # delta explicit, whatever the configs' default
        drs = dict(delta=0.55 if kind == 'fixed' else 'learnable')
        if how != 'default':  # default: impl 'auto', in place inherited
            impl = how.partition('-')[0]
            drs['impl'] = impl if impl in ('eager', 'native') else 'compiled'
            drs['inplace'] = how.endswith('inplace')
    cfg.model.backbone.drs_cfg = drs
    cfg.model.cam_head.drs_cfg = drs
    model = MODELS.build(cfg.model)
    if variant == 'naive':
        for parent in list(model.modules()):
            for n, child in list(parent.named_children()):
                if isinstance(child, DRS):
                    setattr(parent, n, _Naive(child))
        for m in model.modules():  # the wrapper counts calls on DRS only
            if hasattr(m, '_drs_list'):
                m._drs_list = [x.drs for x in model.modules()
                               if isinstance(x, _Naive)]
    g = torch.Generator().manual_seed(0)
    x = torch.randn(args.batch, 3, args.size, args.size,
                    generator=g).to(args.device)
    labels = (torch.rand(args.batch, 20, generator=g) > 0.8).float().to(
        args.device)
    return model, lambda m: m.cam_head.loss(m.class_maps(x), labels)[
        'loss_cls']


# -- group --------------------------------------------------------------
GROUP_CONFIGS = {
    'efficientnet': dict(plain='configs/drs/toy/toy_cls_no-drs.py',
                         group='configs/group_wsss/toy_group_cls.py'),
    'vgg16': dict(plain='configs/drs/voc_cls_no-drs.py',
                  group='configs/group_wsss/group_vgg16_d1_voc.py'),
}


def build_group(args, variant):
    """The plain or Group-WSSS classifier and its loss on groups of 3."""
    from mmseg.structures import SegDataSample
    cfg = Config.fromfile(osp.join(REPO, GROUP_CONFIGS[args.model][variant]))
    inner = cfg.model.backbone.backbone
    inner.init_cfg = None
    if args.model == 'vgg16':
        inner.width = args.width
        ch = int(round(512 * args.width))
        cfg.model.cam_head.update(in_channels=ch, channels=ch)
    cfg.model.cam_head.num_classes = args.num_classes
    model = MODELS.build(cfg.model)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(args.batch, 3, args.size, args.size,
                    generator=g).to(args.device)
    samples = []
    for i in range(args.batch):
        ds = SegDataSample(metainfo=dict(group_size=3, group_member=i % 3))
        lab = torch.zeros(args.num_classes, dtype=torch.uint8)
        lab[(i // 3) % args.num_classes] = 1  # a group shares its label
        ds.gt_img_labels = lab
        samples.append(ds.to(args.device))
    return model, lambda m: _sum_losses(m.loss(x, samples))


# -- seg-loss -----------------------------------------------------------
EXTRA_LOSSES = {
    'plain': None,
    'ocr': [dict(type='OutOfCandidateLoss')],
    'self-training': [dict(type='SelfTrainingLoss')],
}


def build_seg_loss(args, variant):
    """The segmentor with the variant's extra loss, random labels/tags."""
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample
    cfg = Config.fromfile(osp.join(REPO, args.config))
    model_cfg = dict(cfg.model)
    model_cfg['backbone'] = dict(model_cfg['backbone'], init_cfg=None)
    if EXTRA_LOSSES[variant] is not None:
        model_cfg.update(type='WSSSEncoderDecoder',
                         extra_losses=EXTRA_LOSSES[variant])
    model = MODELS.build(model_cfg)
    n, size = args.batch, args.size
    k = cfg.model.decode_head.num_classes
    g = torch.Generator().manual_seed(1)
    x = torch.randn(n, 3, size, size, generator=g)
    samples = []
    for _ in range(n):
        ds = SegDataSample(metainfo=dict(img_shape=(size, size),
                                         pad_shape=(size, size),
                                         padding_size=[0, 0, 0, 0]))
        ds.gt_sem_seg = PixelData(
            data=torch.randint(0, k, (1, size, size), generator=g))
        tags = torch.zeros(k - 1, dtype=torch.uint8)
        tags[torch.randint(0, k - 1, (2, ), generator=g)] = 1
        ds.gt_img_labels = tags
        samples.append(ds.to(args.device))
    x = x.to(args.device)
    return model, lambda m: _sum_losses(m.loss(x, samples))


BUILDERS = {'drs': build_drs, 'group': build_group,
            'seg-loss': build_seg_loss}


def build_trainers(args, variants):
    """One trainer per variant after its first step, and that step's
    time (s, wall: it includes compiling)."""
    trainers, first = {}, {}
    for v in variants:
        torch.manual_seed(0)
        model, loss = BUILDERS[args.mode](args, v)
        trainers[v] = Trainer(model, loss, args.device)
        first[v] = trainers[v].step()
    return trainers, first


def run_timing(args, variants, trainers, first):
    """Interleaved rounds (module docstring); returns per variant the
    per-round times (s) and ratios to the reference."""
    clock, ref = CLOCKS[args.clock], variants[0]
    rng = random.Random(0)
    times = {v: [] for v in variants}
    for r in range(args.rounds):
        order = list(variants)
        rng.shuffle(order)
        for v in order:
            for _ in range(args.warmup):
                trainers[v].step()
            times[v].append(statistics.median(
                trainers[v].step(clock) for _ in range(args.steps)))
        base = times[ref][-1]
        print(f'round {r + 1} ({os.getloadavg()[0]:.2f} load): ' + ', '.join(
            f'{v} {times[v][-1] / base:.3f}' for v in variants), flush=True)
    print(f'{"variant":>24} {"ms/step":>16} {"ratio to " + ref:>22} '
          f'{"first step s":>13}')
    out = {}
    for v in variants:
        ratios = [t / b for t, b in zip(times[v], times[ref])]
        out[v] = dict(seconds=times[v], ratios=ratios)
        print(f'{v:>24} {format_mean_std([t * 1e3 for t in times[v]]):>16} '
              f'{format_mean_std(ratios, 3):>22} {first[v]:13.1f}')
    return out


def run_per_step(trainer, steps):
    """``steps`` consecutive identical steps of one network: wall, user
    and system time of each (how stable the machine's CPU is)."""
    import resource
    trainer.step()
    print(f'{steps} identical steps of the plain network (s):')
    for i in range(steps):
        r0, w0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        trainer.step()
        r1, w1 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        print(f'step {i + 1}: wall {w1 - w0:.3f} user '
              f'{r1.ru_utime - r0.ru_utime:.3f} system '
              f'{r1.ru_stime - r0.ru_stime:.3f}', flush=True)


#: Profiler events of the activation layers (inclusive time): DRS's
#: autograd function, or the plain network's ReLU / ReLU6, forward and
#: backward. The naive variant's ops are not separable.
_NODES = ('DRSFunctionBackward', 'ReluBackward0', 'HardtanhBackward0')
ACT_EVENTS = frozenset(
    ('DRSFunction', 'aten::relu', 'aten::relu_', 'aten::relu6',
     'aten::hardtanh', 'aten::hardtanh_') + _NODES +
    tuple(f'autograd::engine::evaluate_function: {n}' for n in _NODES))


def _activation_share(trainer):
    """One profiled step: (s of the step, s in activation layers).

    Both on the wall clock of the profiler's events: time the thread spends
    descheduled falls into whichever op runs, in proportion to its length,
    so the share stays unbiased on a loaded machine. Nested events count
    once (an activation event inside another is part of the outer one's
    inclusive time).
    """
    from torch.profiler import ProfilerActivity, profile
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        step = trainer.step(time.perf_counter)
    act = 0.
    for e in prof.events():
        if e.name not in ACT_EVENTS:
            continue
        parent = e.cpu_parent
        while parent is not None and parent.name not in ACT_EVENTS:
            parent = parent.cpu_parent
        if parent is None:
            act += e.cpu_time_total * 1e-6
    return step, act


def run_share(args, variants, trainers):
    """In-step estimate of the ratios, robust to the CPU's speed changes.

    Within each profiled step the share of the activation layers is
    measured: r for the plain network (its ReLUs), s for a DRS variant
    (its DRS functions). With W the time of everything else, the same in
    both networks: plain = W / (1 - r), DRS = W / (1 - s), so
    DRS / plain = (1 - r) / (1 - s) - two shares, each a ratio of times
    of the same step, so a slower CPU during a step scales both parts.
    Per round: median shares over ``--steps`` steps; printed: mean ±
    sample std over rounds of the per-round estimates.
    """
    for v in variants:  # one more untimed step (warm after compiling)
        trainers[v].step()
    rng = random.Random(1)
    share = {v: [] for v in variants}
    act_ms = {v: [] for v in variants}
    for r in range(args.rounds):
        order = list(variants)
        rng.shuffle(order)
        for v in order:
            res = [_activation_share(trainers[v]) for _ in range(args.steps)]
            share[v].append(statistics.median(a / t for t, a in res))
            act_ms[v].append(statistics.median(a for _, a in res) * 1e3)
        base = share['no-drs'][-1]
        print(f'round {r + 1} ({os.getloadavg()[0]:.2f} load): ' + ', '.join(
            f'{v} {(1 - base) / (1 - share[v][-1]):.4f}' for v in variants),
              flush=True)
    print(f'{"variant":>24} {"act. ms/step":>14} {"share":>16} '
          f'{"est. ratio":>18}')
    out = {}
    for v in variants:
        est = [(1 - b) / (1 - x) for x, b in zip(share[v], share['no-drs'])]
        out[v] = dict(act_ms=act_ms[v], share=share[v], ratios=est)
        print(f'{v:>24} {format_mean_std(act_ms[v]):>14} '
              f'{format_mean_std(share[v], 4):>16} '
              f'{format_mean_std(est, 4):>18}')
    return out


def _rss_kib(field):
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    raise RuntimeError(f'{field} not in /proc/self/status')


def memory_child(args, variant):
    """Measure one variant's memory (run in a fresh process): the bytes
    of the tensors autograd saves during one forward (distinct storages
    other than the parameters), and the peak resident memory of one step
    above the resident memory before it (``VmHWM`` reset through
    ``/proc/self/clear_refs``; glibc's mmap threshold fixed at 64 KiB by
    :func:`run_memory` so that freed tensors leave the resident set)."""
    torch.manual_seed(0)
    model, loss = build_drs(args, variant)
    tr = Trainer(model, loss, args.device)
    tr.step()  # compile / first-touch everything
    seen = {}
    params = {p.untyped_storage().data_ptr() for p in tr.model.parameters()}

    def pack(t):  # activations only: parameters are counted elsewhere
        st = t.untyped_storage()
        if st.data_ptr() not in params:
            seen[(st.data_ptr(), st.device)] = st.nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = tr.loss(tr.model)
    saved = sum(seen.values())
    del out
    before = _rss_kib('VmRSS')
    with open('/proc/self/clear_refs', 'w') as f:
        f.write('5')  # reset the peak resident set size (VmHWM)
    tr.step()
    peak = _rss_kib('VmHWM')
    print(json.dumps(dict(variant=variant, saved_mib=saved / 2**20,
                          step_peak_mib=(peak - before) / 1024,
                          rss_before_mib=before / 1024)))


def run_memory(args, variants):
    res = {}
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_='65536')
    for v in variants:
        cmd = [sys.executable, osp.abspath(__file__), 'drs',
               '--memory-child', v] + args.passthrough
        out = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if out.returncode:
            raise RuntimeError(f'memory run of {v} failed:\n{out.stderr}')
        res[v] = json.loads(out.stdout.strip().splitlines()[-1])
        print(json.dumps(res[v]), flush=True)
    base = res['no-drs']
    print('\nmemory (one process per variant): autograd-saved tensors of '
          'one forward; peak RSS of one training step above RSS before it')
    print(f'{"variant":>24} {"saved MiB":>10} {"ratio":>6} '
          f'{"step peak MiB":>14} {"ratio":>6}')
    for v, r in res.items():
        print(f'{v:>24} {r["saved_mib"]:10.1f} '
              f'{r["saved_mib"] / base["saved_mib"]:6.3f} '
              f'{r["step_peak_mib"]:14.1f} '
              f'{r["step_peak_mib"] / base["step_peak_mib"]:6.3f}')
    return res


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    modes = p.add_subparsers(dest='mode', required=True)
    defaults = dict(drs=(3, 1, 4, 1), group=(5, 2, 2, 1),
                    **{'seg-loss': (3, 0, 7, 2)})
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
    s.add_argument('--model', choices=list(GROUP_CONFIGS),
                   default='efficientnet')
    s.add_argument('--num-classes', type=int, default=20)
    sub['seg-loss'].add_argument(
        '--config', default='configs/drs/toy/toy_deeplabv3plus_pseudo.py')
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
    else:
        args.size = args.size or 112
        args.batch = args.batch or 8
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
    return (f'{net}, batch {args.batch}, {args.size}x{args.size}, '
            f'{args.device}, torch {torch.__version__}, threads '
            f'{torch.get_num_threads()}, clock {args.clock}')


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
        trainers, first = build_trainers(args, args.variants)
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
        out['memory'] = run_memory(args, args.variants)
    return out


if __name__ == '__main__':
    main()
