"""Build DRS's CPU kernels ahead of time (otherwise built on first use).

Prints the library's path, or why it could not be built (exit 1: DRS then
runs its PyTorch code). See ``mmdrs/models/layers/drs_cpu.py``.

Usage:
    python tools/build_drs_kernels.py
"""
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..'))

from mmdrs.models.layers import drs_cpu  # noqa: E402


def main():
    try:
        print(drs_cpu.build(verbose=True))
    except RuntimeError as e:
        print(f'DRS CPU kernels not built: {e}', file=sys.stderr)
        sys.exit(1)


if __name__ == '__main__':
    main()
