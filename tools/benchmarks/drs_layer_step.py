"""Forward + backward time of one DRS layer against an in-place ReLU.

Times ``y = act(x * 1.); y.backward(g)`` on one activation (default: the
VGG-16 conv1 output at batch 2, 224x224: 2 x 64 x 224 x 224) for ReLU
(in place, the plain network's activation) and the DRS function on the C
kernels (native) / eager / compiled, in place or not (the former
function: ``tools/benchmarks/_drs_legacy.py`` at commit 418bea3).
Rounds are interleaved in a shuffled order; prints the median ms and the
median per-round difference to ReLU, in CPU time of this process.

Usage:
    python tools/benchmarks/drs_layer_step.py [--shape 2,64,224,224] \
        [--threads 1] [--rounds 7]
"""
import argparse
import os
import os.path as osp
import random
import statistics
import sys
import time

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from mmdrs.models.layers.drs_function import drs_function  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--shape', default='2,64,224,224')
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--rounds', type=int, default=7)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    shape = tuple(int(v) for v in args.shape.split(','))
    c = shape[1]
    fc = torch.nn.Linear(c, c, bias=False)
    d = torch.tensor(0.55)
    variants = {
        'relu (in place)': lambda x: F.relu(x, inplace=True),
        'eager fixed': lambda x: drs_function(x, d, impl='eager'),
        'eager fixed in place': lambda x: drs_function(
            x, d, inplace=True, impl='eager'),
        'eager learnable in place': lambda x: drs_function(
            x, None, fc.weight, inplace=True, impl='eager'),
        'native fixed': lambda x: drs_function(x, d, impl='native'),
        'native fixed in place': lambda x: drs_function(
            x, d, inplace=True, impl='native'),
        'native learnable in place': lambda x: drs_function(
            x, None, fc.weight, inplace=True, impl='native'),
        'compiled fixed': lambda x: drs_function(x, d, impl='compiled'),
        'compiled fixed in place': lambda x: drs_function(
            x, d, inplace=True, impl='compiled'),
        'compiled learnable': lambda x: drs_function(
            x, None, fc.weight, impl='compiled'),
        'compiled learnable in place': lambda x: drs_function(
            x, None, fc.weight, inplace=True, impl='compiled'),
    }
    x0 = torch.randn(shape, requires_grad=True)
    g = torch.randn(shape)

    def run(f):
        t = time.process_time()  # CPU time: robust to a shared machine
        f(x0 * 1.).backward(g)
        x0.grad = None
        return time.process_time() - t

    for f in variants.values():  # compile, first touch
        run(f)
    times = {k: [] for k in variants}
    rng = random.Random(0)
    for _ in range(args.rounds):
        order = list(variants)
        rng.shuffle(order)
        for k in order:
            times[k].append(run(variants[k]))
    print(f'one activation {shape}, threads {torch.get_num_threads()}, '
          f'{args.rounds} shuffled rounds, load average '
          f'{" ".join(f"{v:.2f}" for v in os.getloadavg())}')
    base = times['relu (in place)']
    print(f'{"variant":>28} {"CPU ms":>11} {"+ms vs ReLU":>12}')
    for k, ts in times.items():
        extra = statistics.median(t - b for t, b in zip(ts, base))
        print(f'{k:>28} {statistics.median(ts) * 1e3:11.1f} '
              f'{extra * 1e3:12.1f}')


if __name__ == '__main__':
    main()
