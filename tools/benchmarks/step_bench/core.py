"""The training-step timer shared by every mode of ``train_step.py``.

Each variant's model, SGD optimizer and fixed random batch are built once
and take one untimed first step; interleaved rounds (a fresh shuffled order
each) time full training steps, a variant's time in a round being the
median of its timed steps and its ratio that time over the reference's in
the same round (paired); printed as mean ± sample std over the rounds
(:func:`mmdrs.utils.stats.format_mean_std`).
"""
import os
import os.path as osp
import random
import statistics
import time
from typing import Callable, Dict, List, Sequence, Tuple

import torch

from mmdrs.utils.stats import format_mean_std

#: The folder holding ``configs/`` (the benchmark's networks).
REPO = osp.join(osp.dirname(osp.abspath(__file__)), '..', '..', '..')
#: cpu: this process's CPU time, all its threads
CLOCKS = dict(cpu=time.process_time, wall=time.perf_counter)


class Trainer:
    """A model, its optimizer and a fixed batch: the one timed step.

    Args:
        model (torch.nn.Module): The network, in training mode.
        loss (Callable): ``loss(model)`` -> the scalar loss of the batch.
        device (str): Device of the model and batch.
        forward_only (bool): Time the forward pass alone, in eval mode
            without gradients (what validation, testing and map generation
            run) instead of a training step. Defaults to False.
    """

    def __init__(self, model, loss, device='cpu', forward_only=False):
        self.dev = torch.device(device)
        self.forward_only = forward_only
        self.model = model.to(self.dev).train(not forward_only)
        self.loss = loss
        self.opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)

    def step(self, clock=time.perf_counter) -> float:
        """One training step (or forward pass, ``forward_only``); returns
        its time in seconds on ``clock``."""
        if self.dev.type == 'cuda':
            torch.cuda.synchronize()
        t0 = clock()
        if self.forward_only:
            with torch.no_grad():
                self.loss(self.model)
        else:
            loss = self.loss(self.model)
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
        if self.dev.type == 'cuda':
            torch.cuda.synchronize()
        return clock() - t0


def sum_losses(losses: dict):
    """The sum of a model's loss dict entries whose key names a loss."""
    return sum(v for k, v in losses.items() if 'loss' in k)


def build_trainers(builder: Callable, args,
                   variants: Sequence[str]) -> Tuple[Dict, Dict]:
    """One trainer per variant after its first step.

    Args:
        builder (Callable): ``builder(args, variant)`` -> (model,
            ``loss(model)``), a mode's network.
        args (argparse.Namespace): The command line.
        variants (Sequence[str]): Variants to build.

    Returns:
        tuple[dict, dict]: Trainers by variant, and each one's first step
        time (s, wall: it includes compiling).
    """
    trainers, first = {}, {}
    for v in variants:
        torch.manual_seed(0)
        model, loss = builder(args, v)
        trainers[v] = Trainer(model, loss, args.device,
                              getattr(args, 'forward_only', False))
        first[v] = trainers[v].step()
    return trainers, first


def run_timing(args, variants: Sequence[str], trainers: Dict,
               first: Dict) -> Dict[str, dict]:
    """Interleaved rounds (module docstring); the first variant is the
    reference.

    Returns:
        dict: Per variant, its per-round times (``seconds``) and ratios to
        the reference (``ratios``).
    """
    clock, ref = CLOCKS[args.clock], variants[0]
    rng = random.Random(0)
    times: Dict[str, List[float]] = {v: [] for v in variants}
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


def run_per_step(trainer: Trainer, steps: int) -> None:
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
