"""``drs --share``: the ratios estimated from the activation layers' share
of each profiled step (robust to the CPU's speed changing between steps).
"""
import os
import random
import statistics
import time

from mmdrs.utils.stats import format_mean_std

#: Profiler events of the activation layers (inclusive time): DRS's
#: autograd function, or the plain network's ReLU / ReLU6, forward and
#: backward. The naive variant's ops are not separable.
_NODES = ('DRSFunctionBackward', 'ReluBackward0', 'HardtanhBackward0')
ACT_EVENTS = frozenset(
    ('DRSFunction', 'aten::relu', 'aten::relu_', 'aten::relu6',
     'aten::hardtanh', 'aten::hardtanh_') + _NODES +
    tuple(f'autograd::engine::evaluate_function: {n}' for n in _NODES))


def activation_share(trainer):
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

    Returns:
        dict: Per variant, per-round activation ms (``act_ms``), shares
        (``share``) and estimated ratios (``ratios``).
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
            res = [activation_share(trainers[v]) for _ in range(args.steps)]
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
