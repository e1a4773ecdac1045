"""Atomic file writes: write a temporary sibling, then rename into place."""
import os
import os.path as osp
from typing import Callable


def atomic_write(path: str, write: Callable[[str], None]) -> None:
    """Call ``write(tmp_path)`` and rename the result to ``path``.

    The temporary file keeps ``path``'s extension (writers such as
    ``cv2.imwrite`` choose the format from it). A reader never sees a
    half-written ``path``; on failure the temporary file is removed.

    Args:
        path (str): Final file path.
        write (Callable[[str], None]): Writes the content to the path it is
            given; raises on failure.
    """
    root, ext = osp.splitext(path)
    tmp = f'{root}.tmp{os.getpid()}{ext}'
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)
