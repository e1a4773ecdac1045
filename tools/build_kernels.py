"""Build mmdrs's CPU kernels ahead of time (otherwise built on first use).

Prints each library's path (DRS's, the depthwise convolution's), or why it
could not be built (exit 1: the layers then run their PyTorch code). See
``mmdrs/models/layers/native_lib.py``.

Usage:
    python tools/build_kernels.py
"""
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..'))

from mmdrs.models.layers import depthwise_conv, drs_cpu  # noqa: E402


def main():
    failed = False
    for lib in (drs_cpu.LIBRARY, depthwise_conv.LIBRARY):
        try:
            print(lib.build(verbose=True))
        except RuntimeError as e:
            print(f'{lib.what} CPU kernels not built: {e}', file=sys.stderr)
            failed = True
    if failed:
        sys.exit(1)


if __name__ == '__main__':
    main()
