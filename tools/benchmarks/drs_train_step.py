"""Train-step time and memory of the DRS classifier, with and without DRS.

Builds the classifier of a config (no pretrained weights) once per variant
and times full training steps (forward, backward, SGD update) on random
data. Variants (``--variants``, comma-separated):

* ``no-drs``: plain ReLU(6) network (the reference of every ratio);
* ``fixed`` / ``learnable``: DRS with ``impl='compiled'`` (the
  torch.compile-generated fused kernels, saves only the output);
* ``fixed-inplace`` / ``learnable-inplace``: the same, ``inplace=True``;
* ``fixed-eager`` / ``learnable-eager``: same function, eager PyTorch ops
  (the fallback where compiling is unavailable), into a new tensor;
* ``fixed-native`` / ``learnable-native`` (``-inplace``): the hand-written
  CPU kernels (``mmdrs/models/layers/csrc/drs_cpu.c``);
* ``fixed-default`` / ``learnable-default``: what the configs build:
  ``impl='auto'`` (the CPU kernels on float32 CPU tensors), in place where
  the replaced ReLU was (all of VGG's; not EfficientNet's ReLU6);
* ``fixed-legacy`` / ``learnable-legacy``: the DRS function before issue 17
  (saves the input, separate GAP through a ReLU; ``_drs_legacy.py``);
* ``naive``: learnable DRS the paper's step-by-step way (autograd).

Timing is robust to a shared, loaded machine: steps are timed in this
process's CPU time by default (``--clock cpu``; wall time on a loaded
machine measured the scheduler: ratios of 0.56-2.76 within one run), the
thread count is fixed and printed, the load average is printed before and
after, and each round
runs every variant (``--warmup`` untimed then ``--steps`` timed steps) in a
freshly shuffled order. A variant's ratio is the median over rounds of
(its median step in the round / no-DRS's median step in the same round);
the spread is the min-max of those per-round ratios.

``--share`` estimates the ratios from within each profiled step: the
share of the activation layers (ReLU or DRS) in the step, r for the plain
network and s for a DRS variant, gives DRS / plain = (1 - r) / (1 - s),
which a CPU whose speed varies from step to step (ours: +-30 % between
identical steps) does not disturb (see :func:`run_share`).

``--memory`` measures, each variant in a fresh subprocess: the bytes of the
tensors autograd saves for the backward during one forward (distinct
storages other than the parameters, counted with
``torch.autograd.graph.saved_tensors_hooks``; the activation memory of
training), and the peak resident memory of one
training step above the resident memory before it (``VmHWM`` reset
through ``/proc/self/clear_refs``, glibc's mmap threshold fixed at 64 KiB
so that freed tensors leave the resident set).

Goals (issue 17): VGG-16 D1 DRS / no-DRS <= 1.03 (fixed and learnable);
EfficientNet-Lite0, DRS on every activation <= 1.10; memory <= 1.05.

Usage:
    python tools/benchmarks/drs_train_step.py --backbone vgg16 --size 224 \
        --batch 2 --steps 3 --warmup 1 --rounds 4 [--threads 1] [--memory] \
        [--share [--no-timing]] [--per-step 12]
    python tools/benchmarks/drs_train_step.py --backbone efficientnet \
        [--placement all|last-stage] [--size 112] [--batch 16]
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
sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmseg.registry import MODELS  # noqa: E402

import mmdrs  # noqa: E402,F401
from _drs_legacy import legacy_drs  # noqa: E402
from mmdrs.models import DRS, drs_reference  # noqa: E402

ALL_VARIANTS = ('no-drs', 'fixed', 'learnable', 'fixed-inplace',
                'learnable-inplace', 'fixed-eager', 'learnable-eager',
                'fixed-native', 'learnable-native', 'fixed-native-inplace',
                'learnable-native-inplace', 'fixed-default',
                'learnable-default', 'fixed-legacy', 'learnable-legacy',
                'naive')
#: cpu: this process's CPU time, all its threads (on a machine shared with
#: other jobs, wall time measures the scheduler as much as the work).
CLOCKS = dict(cpu=time.process_time, wall=time.perf_counter)
DEFAULT_VARIANTS = ('no-drs', 'fixed', 'learnable', 'fixed-inplace',
                    'learnable-inplace', 'fixed-legacy', 'learnable-legacy',
                    'naive')


class _Wrapped(torch.nn.Module):
    """A :class:`DRS` computed another way (legacy function or naive)."""

    def __init__(self, drs: DRS, how: str):
        super().__init__()
        self.drs, self.how = drs, how

    def forward(self, x):
        d = self.drs
        idx = d._call % len(d.active_calls)
        d._call += 1
        act = F.relu6 if d.act == 'relu6' else F.relu
        if not d.active_calls[idx]:
            return act(x)
        fc = d.suppression_controller[idx] if d.learnable else None
        if self.how == 'legacy':
            return legacy_drs(x, d.delta, fc,
                              6.0 if d.act == 'relu6' else None)
        if fc is not None:
            delta = torch.sigmoid(fc(act(x).mean((2, 3))))[..., None, None]
        else:
            delta = d.delta
        if d.act == 'relu6':
            x = F.relu6(x)
        return drs_reference(x, delta)


def build(args, variant):
    """The classifier for ``variant`` (see the module docstring)."""
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
    if variant == 'no-drs':
        drs = None
    else:  # delta set explicitly, independent of the configs' defaults
        drs = dict(delta=0.55 if kind == 'fixed' else 'learnable')
        # default: what the configs build (impl 'auto', in place inherited
        # from the replaced ReLU); otherwise the compiled kernels unless
        # eager / native is asked for
        if how != 'default':
            impl = how.partition('-')[0]
            drs['impl'] = impl if impl in ('eager', 'native') else 'compiled'
            drs['inplace'] = how.endswith('inplace')
    cfg.model.backbone.drs_cfg = drs
    cfg.model.cam_head.drs_cfg = drs
    model = MODELS.build(cfg.model)
    if how in ('legacy', ) or variant == 'naive':
        how = 'legacy' if how == 'legacy' else 'naive'
        for parent in list(model.modules()):
            for n, child in list(parent.named_children()):
                if isinstance(child, DRS):
                    setattr(parent, n, _Wrapped(child, how))
        for m in model.modules():  # the wrapper counts calls on DRS only
            if hasattr(m, '_drs_list'):
                m._drs_list = [x.drs for x in model.modules()
                               if isinstance(x, _Wrapped)]
    return model


class _Trainer:
    """A model, its optimizer and a fixed random batch."""

    def __init__(self, model, args):
        dev = torch.device(args.device)
        self.dev = dev
        self.model = model.to(dev).train()
        self.opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
        g = torch.Generator().manual_seed(0)
        self.x = torch.randn(args.batch, 3, args.size, args.size,
                             generator=g).to(dev)
        self.labels = (torch.rand(args.batch, 20, generator=g) >
                       0.8).float().to(dev)

    def forward_loss(self):
        m = self.model
        return m.cam_head.loss(m.class_maps(self.x), self.labels)['loss_cls']

    def step(self, clock=time.perf_counter):
        """One training step; returns its time in seconds on ``clock``."""
        if self.dev.type == 'cuda':
            torch.cuda.synchronize()
        t0 = clock()
        loss = self.forward_loss()
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        if self.dev.type == 'cuda':
            torch.cuda.synchronize()
        return clock() - t0


def _rss_kib(field):
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    raise RuntimeError(f'{field} not in /proc/self/status')


def memory_child(args, variant):
    """Measure one variant's memory (run in a fresh process)."""
    torch.manual_seed(0)
    tr = _Trainer(build(args, variant), args)
    tr.step()  # compile / first-touch everything
    seen = {}
    params = {p.untyped_storage().data_ptr() for p in tr.model.parameters()}

    def pack(t):  # activations only: parameters are counted elsewhere
        st = t.untyped_storage()
        if st.data_ptr() not in params:
            seen[(st.data_ptr(), st.device)] = st.nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        loss = tr.forward_loss()
    saved = sum(seen.values())
    del loss
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
        cmd = [sys.executable, osp.abspath(__file__), '--memory-child', v
               ] + args.passthrough
        out = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if out.returncode:
            raise RuntimeError(f'memory run of {v} failed:\n{out.stderr}')
        res[v] = json.loads(out.stdout.strip().splitlines()[-1])
        print(json.dumps(res[v]), flush=True)
    base = res['no-drs']
    print('\nmemory (one process per variant): autograd-saved tensors of '
          'one forward; peak RSS of one training step above RSS before it')
    print(f'{"variant":>18} {"saved MiB":>10} {"ratio":>6} '
          f'{"step peak MiB":>14} {"ratio":>6}')
    for v, r in res.items():
        print(f'{v:>18} {r["saved_mib"]:10.1f} '
              f'{r["saved_mib"] / base["saved_mib"]:6.3f} '
              f'{r["step_peak_mib"]:14.1f} '
              f'{r["step_peak_mib"] / base["step_peak_mib"]:6.3f}')
    return res


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


def build_trainers(args, variants):
    """One trainer per variant, after one step; and that step's time."""
    models, first = {}, {}
    for v in variants:
        torch.manual_seed(0)
        models[v] = _Trainer(build(args, v), args)
        first[v] = models[v].step()  # includes compiling
    return models, first


def run_timing(args, variants, models, first):
    rng = random.Random(0)
    per_round = {v: [] for v in variants}
    print('first step (s, includes compiling): ' +
          ', '.join(f'{v} {t:.1f}' for v, t in first.items()), flush=True)
    for r in range(args.rounds):
        order = list(variants)
        rng.shuffle(order)
        for v in order:
            for _ in range(args.warmup):
                models[v].step()
            per_round[v].append(
                statistics.median(models[v].step(CLOCKS[args.clock])
                                  for _ in range(args.steps)))
        b = per_round['no-drs'][-1]
        print(f'round {r + 1} ({os.getloadavg()[0]:.2f} load): ' + ', '.join(
            f'{v} {per_round[v][-1] / b:.3f}' for v in variants), flush=True)
    base = per_round['no-drs']
    print(f'{"variant":>18} {"ms/step":>9} {"ratio":>6} {"ratio range":>13} '
          f'{"first step s":>13}')
    out = {}
    for v in variants:
        ratios = [t / b for t, b in zip(per_round[v], base)]
        med = statistics.median(per_round[v])
        r = statistics.median(ratios)
        out[v] = dict(ms=med * 1000, ratio=r, lo=min(ratios),
                      hi=max(ratios))
        print(f'{v:>18} {med * 1000:9.1f} {r:6.3f} '
              f'{min(ratios):6.3f}-{max(ratios):5.3f} {first[v]:13.1f}')
    return out


#: Profiler events of the activation layers (inclusive time): DRS's
#: autograd function, or the plain network's ReLU / ReLU6, forward and
#: backward. The legacy / naive variants' ops are not separable.
_NODES = ('DRSFunctionBackward', 'ReluBackward0', 'HardtanhBackward0')
ACT_EVENTS = frozenset(
    ('DRSFunction', 'aten::relu', 'aten::relu_', 'aten::relu6',
     'aten::hardtanh', 'aten::hardtanh_') + _NODES +
    tuple(f'autograd::engine::evaluate_function: {n}' for n in _NODES))


def _activation_share(trainer):
    """One profiled step: (s of the step, s in activation layers).

    Both on the wall clock of the profiler's events: time the thread spends
    descheduled falls into whichever op runs, in proportion to its length,
    so the share stays unbiased on a loaded machine (the step's CPU time
    against the events' wall time inflated shares by 5-15 % at load 3).
    Nested events count once (an activation event inside another is part
    of the outer one's inclusive time).
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


def run_share(args, variants, models):
    """In-step estimate of the ratios, robust to the CPU's speed changes.

    Within each profiled step, the share of the activation layers is
    measured: r for the plain network (its ReLUs), s for a DRS variant
    (its DRS functions). With W the time of everything else, the same in
    both networks: plain = W / (1 - r), DRS = W / (1 - s), so
    DRS / plain = (1 - r) / (1 - s) - two shares, each a ratio of times
    of the same step, so a slower CPU during a step scales both parts.
    Per round: median shares over ``--steps`` steps; printed: the median
    over rounds of the per-round estimates and their range.
    """
    for v in variants:  # one more untimed step (warm after compiling)
        models[v].step()
    rng = random.Random(1)
    share = {v: [] for v in variants}
    act_ms = {v: [] for v in variants}
    for r in range(args.rounds):
        order = list(variants)
        rng.shuffle(order)
        for v in order:
            res = [_activation_share(models[v]) for _ in range(args.steps)]
            share[v].append(statistics.median(a / t for t, a in res))
            act_ms[v].append(statistics.median(a for _, a in res) * 1e3)
        base = share['no-drs'][-1]
        print(f'round {r + 1} ({os.getloadavg()[0]:.2f} load): ' + ', '.join(
            f'{v} {(1 - base) / (1 - share[v][-1]):.4f}' for v in variants),
              flush=True)
    print(f'{"variant":>24} {"act. ms/step":>13} {"share":>7} '
          f'{"est. ratio":>10} {"range":>13}')
    out = {}
    for v in variants:
        est = [(1 - b) / (1 - x) for x, b in zip(share[v], share['no-drs'])]
        out[v] = dict(act_ms=statistics.median(act_ms[v]),
                      share=statistics.median(share[v]),
                      ratio=statistics.median(est), lo=min(est), hi=max(est))
        print(f'{v:>24} {out[v]["act_ms"]:13.1f} {out[v]["share"]:7.4f} '
              f'{out[v]["ratio"]:10.4f} {min(est):6.4f}-{max(est):6.4f}')
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--backbone', choices=['vgg16', 'efficientnet'],
                   default='vgg16')
    p.add_argument('--placement', choices=['all', 'last-stage'],
                   default='all', help='EfficientNet: where DRS goes')
    p.add_argument('--size', type=int, default=None)
    p.add_argument('--batch', type=int, default=None)
    p.add_argument('--width', type=float, default=1.0, help='VGG width')
    p.add_argument('--steps', type=int, default=3,
                   help='timed steps per variant and round')
    p.add_argument('--warmup', type=int, default=1,
                   help='untimed steps per variant and round')
    p.add_argument('--rounds', type=int, default=4,
                   help='interleaved rounds (shuffled order each)')
    p.add_argument('--threads', type=int, default=1,
                   help='torch.set_num_threads (fixed, printed)')
    p.add_argument('--clock', choices=list(CLOCKS), default='cpu',
                   help='cpu: CPU time of this process (robust to other '
                   'processes on a shared machine; on CPU devices); wall')
    p.add_argument('--variants', default=','.join(DEFAULT_VARIANTS),
                   help=f'comma-separated subset of {",".join(ALL_VARIANTS)}')
    p.add_argument('--memory', action='store_true',
                   help='also measure memory (one subprocess per variant)')
    p.add_argument('--no-timing', action='store_true',
                   help='skip the timing (with --memory / --share)')
    p.add_argument('--share', action='store_true',
                   help='also estimate the ratios from the activation '
                   "layers' share of each profiled step (see run_share)")
    p.add_argument('--per-step', type=int, default=0, metavar='N',
                   help='first time N identical steps of the plain network '
                   'one by one (wall / user / system time)')
    p.add_argument('--memory-child', default=None, help=argparse.SUPPRESS)
    p.add_argument('--device', default='cpu')
    args = p.parse_args()
    variants = [v for v in args.variants.split(',') if v]
    bad = [v for v in variants if v not in ALL_VARIANTS]
    if bad:
        p.error(f'unknown variants {bad}; choose from {list(ALL_VARIANTS)}')
    bad = [v for v in variants if 'legacy' in v or v == 'naive']
    if args.share and bad:
        p.error(f'--share cannot separate the ops of {bad}')
    if 'no-drs' not in variants:
        variants.insert(0, 'no-drs')
    vgg = args.backbone == 'vgg16'
    args.size = args.size or (320 if vgg else 112)
    args.batch = args.batch or (5 if vgg else 16)
    args.passthrough = [
        '--backbone', args.backbone, '--placement', args.placement,
        '--size', str(args.size), '--batch', str(args.batch), '--width',
        str(args.width), '--threads', str(args.threads), '--device',
        args.device
    ]
    torch.set_num_threads(args.threads)
    init_default_scope('mmseg')
    if args.memory_child:
        memory_child(args, args.memory_child)
        return
    desc = f'{args.backbone}' + ('' if vgg else f' (DRS: {args.placement})')
    print(f'{desc} classifier, batch {args.batch}, {args.size}x{args.size}, '
          f'{args.device}, torch {torch.__version__}, '
          f'threads {torch.get_num_threads()}, clock {args.clock}')
    print(f'{args.rounds} interleaved rounds x ({args.warmup} warm-up + '
          f'{args.steps} timed steps) per variant; load average before: '
          f'{" ".join(f"{v:.2f}" for v in os.getloadavg())}')
    if args.share or args.per_step or not args.no_timing:
        models, first = build_trainers(args, variants)
    if args.per_step:
        run_per_step(models['no-drs'], args.per_step)
    if not args.no_timing:
        run_timing(args, variants, models, first)
        print(f'load average after: '
              f'{" ".join(f"{v:.2f}" for v in os.getloadavg())}')
    if args.share:
        print('in-step estimate (profiled steps; ratio = (1 - r) / (1 - s), '
              'r, s: share of the activation layers, plain / DRS)')
        run_share(args, variants, models)
    if args.memory:
        run_memory(args, variants)


if __name__ == '__main__':
    main()
