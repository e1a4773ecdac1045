"""``drs --memory``: the tensors autograd saves and a step's peak resident
memory, each variant measured in a fresh process."""
import json
import os
import subprocess
import sys

import torch

from .core import Trainer
from .drs import build_drs


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
    :func:`run_memory` so that freed tensors leave the resident set).
    Prints one JSON line."""
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


def run_memory(args, variants, script):
    """:func:`memory_child` of each variant in its own process.

    Args:
        args (argparse.Namespace): The command line (``passthrough``: the
            network's options for the child).
        variants (Sequence[str]): Variants, ``no-drs`` among them.
        script (str): ``train_step.py``, run as the child.

    Returns:
        dict: Each variant's measurement.
    """
    res = {}
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_='65536')
    for v in variants:
        cmd = [sys.executable, script, 'drs', '--memory-child', v
               ] + args.passthrough
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
