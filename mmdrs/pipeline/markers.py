"""Done markers: the file recording a finished stage's result.

A stage (a training run, maps, pseudo labels ...) that finished writes its
result dict as JSON into its folder; a re-run finds the marker and returns
the recorded result instead of running again, and other stages read their
inputs (checkpoints, map folders) from it. Only this module knows the
marker's file name.
"""
import json
import os
import os.path as osp
from typing import Optional

from ..utils.atomic import write_json_atomic

#: File name of the marker in a stage's folder.
DONE_MARKER = 'stage_done.json'


def done_marker(folder: str) -> str:
    """The path of the done marker of the stage whose folder is ``folder``.

    Args:
        folder (str): The stage's output folder (its work dir).

    Returns:
        str: :data:`DONE_MARKER` in ``folder``.
    """
    return osp.join(folder, DONE_MARKER)


def read_done_marker(folder: str) -> Optional[dict]:
    """The recorded result of the stage in ``folder``.

    Args:
        folder (str): The stage's output folder.

    Returns:
        dict | None: The result, or None where the stage has not finished.
    """
    path = done_marker(folder)
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def write_done_marker(folder: str, result: dict) -> None:
    """Record ``result`` as the finished stage's result (atomically: a
    killed writer never leaves a marker that reads as finished).

    Args:
        folder (str): The stage's output folder (created if missing).
        result (dict): The stage's JSON-serialisable result.
    """
    os.makedirs(folder, exist_ok=True)
    write_json_atomic(done_marker(folder), result)
