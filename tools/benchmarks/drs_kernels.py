"""CPU time of DRS's C kernels against the PyTorch ops they replace.

One activation (default: the VGG-16 conv1 output at batch 2, 224x224), all
buffers allocated once (no page faults in the timings), one thread, CPU
time of this process, median of ``--repeats``. Rows: ``relu_`` and ``amax``
(one write pass and one read pass), the fixed-delta forward in place
(statistics and output plane by plane), the learnable forward's two
kernels, ``threshold_backward`` (a ReLU's backward) and the backward
kernels. See docs/drs_speed.md.

Usage:
    python tools/benchmarks/drs_kernels.py [--shape 2,64,224,224] \
        [--repeats 15]
"""
import argparse
import os.path as osp
import statistics
import sys
import time

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

import torch  # noqa: E402

from mmdrs.models.layers import drs_cpu  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--shape', default='2,64,224,224')
    p.add_argument('--repeats', type=int, default=15)
    args = p.parse_args()
    torch.set_num_threads(1)
    lib = drs_cpu.load()
    if lib is None:
        raise SystemExit('the DRS CPU kernels are not available here')
    b, c, h, w = (int(v) for v in args.shape.split(','))
    planes, n = b * c, h * w
    g = torch.Generator().manual_seed(0)
    x = torch.randn(planes, n, generator=g)
    y, out, gx = x.clone(), torch.empty_like(x), torch.empty_like(x)
    grad = torch.randn(planes, n, generator=g)
    x_max, thr = torch.empty(planes), torch.empty(planes)
    idx = torch.empty(planes, dtype=torch.int64)
    sums = torch.empty(planes, dtype=torch.float64)
    g_gap = torch.randn(planes, generator=g)
    ptr = torch.Tensor.data_ptr
    lib.drs_forward_fixed(ptr(x), ptr(out), planes, n, 0, 0., 0.55,
                          ptr(x_max), ptr(idx), ptr(thr), 1)
    saved = out.clone()  # a DRS output, for the backward rows
    rows = {
        'torch relu_ (in place)': lambda: torch.relu_(y),
        'torch amax': lambda: x.amax(-1),
        'C fixed forward, in place': lambda: lib.drs_forward_fixed(
            ptr(y), ptr(y), planes, n, 0, 0., 0.55, ptr(x_max), ptr(idx),
            ptr(thr), 1),
        'C learnable: statistics + GAP sums': lambda: lib.drs_stats(
            ptr(x), planes, n, 0, 0., ptr(x_max), ptr(idx), ptr(sums), 1),
        'C learnable: output (new tensor)': lambda: lib.drs_clamp(
            ptr(x), ptr(out), planes, n, 0, 0., ptr(thr), 1),
        'torch threshold_backward': lambda: torch.ops.aten.threshold_backward(
            grad, saved, 0),
        'C fixed backward': lambda: lib.drs_backward(
            ptr(grad), ptr(saved), ptr(gx), planes, n, ptr(thr), ptr(sums),
            None, 0, 0., 1),
        'C learnable backward: clipped sums': lambda: lib.drs_backward(
            ptr(grad), ptr(saved), None, planes, n, ptr(thr), ptr(sums),
            None, 0, 0., 1),
        'C learnable backward: grad_x': lambda: lib.drs_backward(
            ptr(grad), ptr(saved), ptr(gx), planes, n, ptr(thr), None,
            ptr(g_gap), 0, 0., 1),
    }
    print(f'activation {args.shape}, 1 thread, CPU ms, median of '
          f'{args.repeats}')
    for name, fn in rows.items():
        times = []
        for _ in range(args.repeats):
            t = time.process_time()
            fn()
            times.append(time.process_time() - t)
        print(f'{name:>36} {statistics.median(times) * 1e3:7.2f}')


if __name__ == '__main__':
    main()
