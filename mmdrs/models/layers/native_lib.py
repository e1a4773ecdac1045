"""mmdrs's hand-written CPU kernels: build a C source, cache it, load it.

Each kernel file under ``csrc/`` (``drs_cpu.c``: DRS; ``depthwise_cpu.c``:
depthwise convolutions) is plain C without PyTorch headers. A
:class:`NativeLibrary` compiles it with the system C compiler in about a
second on first use (``-O3 -march=native -fopenmp``; without
``-march=native`` / OpenMP where the compiler refuses them) into a per-user
cache (``$MMDRS_OPS_CACHE``, else ``$XDG_CACHE_HOME/mmdrs``, else
``~/.cache/mmdrs``), keyed by the source and the headers beside it
(``csrc/vec.h``: the vector helpers both share), the compiler, its flags
and the CPU's feature flags, written atomically (temp file + rename, so
concurrent DDP ranks are safe), and loads it with :mod:`ctypes`.
``python tools/build_kernels.py`` builds every library ahead of time
(``tools/setup_env.sh`` does). Where no compiler works, or the library's
switch variable is ``0``, :meth:`NativeLibrary.available` is False and the
caller runs its PyTorch code instead (one warning where the build failed).

OpenMP: ``-fopenmp`` links a library to ``libgomp.so.1``; the dynamic
loader resolves that name to the libgomp torch has already loaded where
that is its runtime (the pinned torch 2.13 CPU wheel ships
``torch/lib/libgomp.so.1``), so one runtime and one thread pool serve both
(checked by ``tests/test_models/test_layers/test_drs_cpu.py``). A torch on
another runtime (Intel's libiomp5 or LLVM's libomp, e.g. some conda builds;
or a wheel whose libgomp was renamed ``libgomp-<hash>.so.1``) would get the
system libgomp as a second runtime beside its own, which the OpenMP vendors
do not support (it usually runs, with two thread pools competing for the
cores); the switch variables avoid it. Apple clang has no ``-fopenmp``:
there the kernels build single-threaded (the third flag set).
"""
import ctypes
import glob
import hashlib
import os
import os.path as osp
import platform
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import warnings
from typing import Dict, List, Optional, Sequence

from mmdrs.utils.cpu_info import cpuinfo_value

#: The kernel sources' folder.
CSRC = osp.join(osp.dirname(osp.abspath(__file__)), 'csrc')
#: Flag sets tried in order: the first that compiles is used.
FLAG_SETS = (
    ['-O3', '-march=native', '-fopenmp'],
    ['-O3', '-fopenmp'],
    ['-O3'],
)


def _cache_dir() -> str:
    root = os.environ.get('MMDRS_OPS_CACHE')
    if not root:
        root = osp.join(
            os.environ.get('XDG_CACHE_HOME') or osp.expanduser('~/.cache'),
            'mmdrs')
    return root


def _compiler() -> Optional[str]:
    for cc in (os.environ.get('CC'), sysconfig.get_config_var('CC'), 'cc',
               'gcc', 'clang'):
        if cc:
            exe = shutil.which(cc.split()[0])
            if exe:
                return exe
    return None


def _cpu_flags() -> str:
    """The CPU's feature flags (the key of a ``-march=native`` build)."""
    return cpuinfo_value(('flags', 'Features'),
                         platform.machine() + platform.processor())


def _key(cc: str, flags: List[str], src: bytes) -> str:
    h = hashlib.sha1(src)
    for part in (cc, ' '.join(flags), _cpu_flags(), sys.platform):
        h.update(part.encode())
    return h.hexdigest()[:16]


class NativeLibrary:
    """One C source compiled into a shared library on first use.

    Args:
        name (str): Short name, the stem of the cached ``.so`` files.
        source (str): Path of the C file.
        signatures (dict): ``{function: [ctypes argument types]}`` of the
            functions the caller uses (all return ``void``).
        switch (str): Environment variable that turns the library off when
            set to ``0`` (the caller then runs its PyTorch code).
        what (str): What the kernels are, for messages (e.g. ``'DRS'``).
    """

    def __init__(self, name: str, source: str,
                 signatures: Dict[str, Sequence], switch: str, what: str):
        self.name = name
        self.source = source
        self.signatures = dict(signatures)
        self.switch = switch
        self.what = what
        self.reset()

    def reset(self) -> None:
        """Forget the loaded library and any failed attempt (tests)."""
        self._lib = None
        self._failed = False

    def files(self) -> List[str]:
        """The source and the headers beside it (``#include "vec.h"``):
        what the cached library's key is made of."""
        folder = osp.dirname(osp.abspath(self.source))
        return [self.source] + sorted(glob.glob(osp.join(folder, '*.h')))

    def build(self, verbose: bool = False) -> str:
        """Compile the source (if not cached) and return the library's path.

        Args:
            verbose (bool): Print the compiler command of a new build.

        Returns:
            str: The cached library's path.

        Raises:
            RuntimeError: no C compiler, or every flag set failed (with the
                compiler's message).
        """
        cc = _compiler()
        if cc is None:
            raise RuntimeError('no C compiler found (set CC)')
        src = b''
        for path in self.files():
            with open(path, 'rb') as f:
                src += f.read()
        cache = _cache_dir()
        os.makedirs(cache, exist_ok=True)
        errors = []
        for flags in FLAG_SETS:
            path = osp.join(cache, f'{self.name}-{_key(cc, flags, src)}.so')
            if osp.isfile(path):
                return path
            fd, tmp = tempfile.mkstemp(suffix='.so', dir=cache)
            os.close(fd)
            cmd = [cc, *flags, '-fPIC', '-shared', self.source, '-o', tmp]
            res = subprocess.run(cmd, capture_output=True, text=True)
            if res.returncode == 0:
                os.replace(tmp, path)  # atomic: concurrent builds are safe
                if verbose:
                    print(' '.join(cmd[:-1] + [path]))
                return path
            os.unlink(tmp)
            errors.append(f'{" ".join(cmd)}: {res.stderr.strip()[-300:]}')
        raise RuntimeError(f'compiling the {self.what} CPU kernels failed:\n'
                           + '\n'.join(errors))

    def load(self) -> Optional[ctypes.CDLL]:
        """The library, built on first use; None where unavailable (one
        warning where the build failed, no second attempt)."""
        if self._lib is not None or self._failed:
            return self._lib
        if os.environ.get(self.switch, '1') == '0':
            self._failed = True
            return None
        try:
            lib = ctypes.CDLL(self.build())
            for name, argtypes in self.signatures.items():
                getattr(lib, name).argtypes = list(argtypes)
                getattr(lib, name).restype = None
            self._lib = lib
        except (OSError, RuntimeError) as e:
            self._failed = True
            warnings.warn(f'{self.what}: the CPU kernels are unavailable '
                          f'({e}); using the PyTorch implementation')
        return self._lib

    def available(self) -> bool:
        """Whether the kernels can run here (building them if needed)."""
        return self.load() is not None
