"""Atomic file writes: write a temporary sibling, then rename into place."""
import glob
import json
import os
import os.path as osp
import re
from typing import Callable


def atomic_write(path: str, write: Callable[[str], None]) -> None:
    """Call ``write(tmp_path)`` and rename the result to ``path``.

    The temporary file is a hidden sibling ``.<stem>.tmp<pid><ext>``: it keeps
    ``path``'s extension (writers such as ``cv2.imwrite`` choose the format
    from it) but a listing such as ``*.npz`` never counts it. A reader never
    sees a half-written ``path``; on failure the temporary file is removed.

    Args:
        path (str): Final file path.
        write (Callable[[str], None]): Writes the content to the path it is
            given; raises on failure.
    """
    tmp = temp_path(path)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)


def write_text_atomic(path: str, text: str) -> None:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_write`).

    Args:
        path (str): Final file path.
        text (str): The file's content.
    """

    def write(tmp: str) -> None:
        with open(tmp, 'w') as f:
            f.write(text)

    atomic_write(path, write)


def write_json_atomic(path: str, obj) -> None:
    """Write ``obj`` as indented JSON to ``path`` atomically.

    Args:
        path (str): Final file path.
        obj: A JSON-serialisable object.
    """
    write_text_atomic(path, json.dumps(obj, indent=2))


def temp_path(path: str, pid: int = None) -> str:
    """The temporary name :func:`atomic_write` uses for ``path``.

    Args:
        path (str): Final file path.
        pid (int, optional): Writer process id. Defaults to this process.

    Returns:
        str: ``<dir>/.<stem>.tmp<pid><ext>``.
    """
    folder, name = osp.split(path)
    stem, ext = osp.splitext(name)
    pid = os.getpid() if pid is None else pid
    return osp.join(folder, f'.{stem}.tmp{pid}{ext}')


def pid_alive(pid: int) -> bool:
    """Whether a process with id ``pid`` exists (on this host).

    Signal 0 checks existence and permission without delivering anything,
    on Linux and macOS alike (``/proc`` exists only on the former). A
    process of another user answers ``PermissionError``: it exists. Zombies
    count as alive until reaped, as their ``/proc`` entry did. On Windows
    ``os.kill`` would terminate the process, so every process is taken for
    alive there (nothing is cleaned up).

    Args:
        pid (int): Process id.

    Returns:
        bool: False only where the process certainly does not exist.
    """
    if pid <= 0:  # 0 and negative ids name process groups, not a process
        return False
    if os.name == 'nt':
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OverflowError:  # beyond pid_t: no such process
        return False
    return True


def remove_stale_temp_files(out_dir: str) -> int:
    """Delete temporary files left by killed writers (their process is gone).

    :func:`atomic_write` names them ``.<stem>.tmp<pid><ext>``; a live
    process's files are kept (see :func:`pid_alive`).

    Args:
        out_dir (str): Folder to clean.

    Returns:
        int: Number of files removed.
    """
    removed = 0
    for path in glob.glob(osp.join(out_dir, '.*.tmp*')):
        m = re.search(r'\.tmp(\d+)', osp.basename(path))
        if m and not pid_alive(int(m.group(1))):
            os.remove(path)
            removed += 1
    return removed
