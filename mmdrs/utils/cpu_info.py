"""What the CPU is: one line of ``/proc/cpuinfo``."""
import platform
from typing import Sequence


def cpuinfo_value(keys: Sequence[str], default: str) -> str:
    """The value of the first ``/proc/cpuinfo`` line that starts with one
    of ``keys`` (the first processor's), or ``default`` where there is no
    such file or line (macOS, Windows, some ARM kernels).

    Args:
        keys (Sequence[str]): Line prefixes, e.g. ``('model name',)`` or
            ``('flags', 'Features')`` (x86 / ARM names of one field).
        default (str): What to return without such a line.

    Returns:
        str: The text after the line's first ``:``, stripped.
    """
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith(tuple(keys)):
                    return line.split(':', 1)[-1].strip()
    except OSError:
        pass
    return default


def cpu_name() -> str:
    """The CPU's model name, e.g. ``'AMD EPYC'``."""
    return cpuinfo_value(('model name', ), platform.processor()
                         or 'unknown CPU')
