"""mmdrs: weakly-supervised semantic segmentation (DRS) for MMSegmentation.

Importing the package applies the stack shims (``mmdrs.utils.compat``) and
registers every component into mmseg's registries, so configs only need::

    custom_imports = dict(imports=['mmdrs'], allow_failed_imports=False)
"""
from .utils.compat import apply_shims

apply_shims()

from . import datasets, engine, evaluation, models  # noqa: E402,F401
from .version import __version__  # noqa: E402

__all__ = ['__version__']
