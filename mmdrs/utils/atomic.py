"""Atomic file writes: write a temporary sibling, then rename into place."""
import glob
import os
import os.path as osp
import re
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


def remove_stale_temp_files(out_dir: str) -> int:
    """Delete temporary files left by killed writers (their process is gone).

    :func:`atomic_write` names them
    ``<stem>.tmp<pid><ext>``; a live process's files are kept.
    """
    removed = 0
    for path in glob.glob(osp.join(out_dir, '*.tmp*')):
        m = re.search(r'\.tmp(\d+)', osp.basename(path))
        if m and not osp.exists(f'/proc/{m.group(1)}'):
            os.remove(path)
            removed += 1
    return removed
