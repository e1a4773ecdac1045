"""What a finished ``tools/train.py`` run left in its work dir: validation
rows in mmengine's ``vis_data/scalars.json`` and the best checkpoint."""
import glob
import json
import os.path as osp
import re
from typing import Optional


def last_val_metrics(work_dir: str,
                     step: Optional[int] = None) -> Optional[dict]:
    """A run's validation row (with ``cam/mIoU`` or ``mIoU``) from its
    scalars.

    Args:
        work_dir (str): The run's work dir (``<work_dir>/<timestamp>/
            vis_data/scalars.json``, every timestamp of resumed runs).
        step (int, optional): Only the rows of this validation step (the
            epoch or iteration of a checkpoint, :func:`checkpoint_step`).

    Returns:
        dict | None: The row plus ``train_iter_time`` (the median
        training-iteration time), or None without any validation row.
    """
    rows = []
    for f in sorted(
            glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))):
        with open(f) as fh:
            rows += [json.loads(line) for line in fh if line.strip()]
    val = [r for r in rows if 'cam/mIoU' in r or 'mIoU' in r]
    train = [r for r in rows if 'loss' in r and 'time' in r]
    if step is not None:
        val = [r for r in val if r.get('step') == step]
    if not val:
        return None
    out = dict(val[-1])
    if train:  # median train-iteration time
        times = sorted(r['time'] for r in train)
        out['train_iter_time'] = times[len(times) // 2]
    return out


def best_checkpoint(work_dir: str, key: Optional[str] = None) -> Optional[str]:
    """The checkpoint mmengine's ``CheckpointHook(save_best=...)`` kept as
    the best (``best_<key>_epoch_N.pth``, ``/`` in the key as ``_``; it
    keeps one per key), if any.

    The file, not the scalars, is what a later stage loads, so its result
    is the validation row of the file's own step (:func:`checkpoint_step`):
    the highest row can lack a file, e.g. a run killed between logging a
    new best and saving it, then resumed from the epoch before.

    Args:
        work_dir (str): The run's work dir.
        key (str, optional): The ``save_best`` metric (e.g.
            ``'cam/sal_mIoU'``); None: any.

    Returns:
        str | None: Its path, the newest where there are several (the one
        mmengine wrote last).
    """
    name = f'best_{key.replace("/", "_")}_' if key else 'best_'
    found = glob.glob(osp.join(work_dir, glob.escape(name) + '*.pth'))
    return max(found, key=osp.getmtime) if found else None


def checkpoint_step(path: str) -> int:
    """The epoch or iteration in a checkpoint's name (mmengine writes
    ``epoch_3.pth``, ``iter_500.pth``, ``best_<key>_epoch_3.pth``).

    Raises:
        ValueError: The name holds no ``epoch_N`` / ``iter_N``.
    """
    m = re.search(r'(?:^|_)(?:epoch|iter)_(\d+)\.pth$', osp.basename(path))
    if m is None:
        raise ValueError(f'{path}: expected a checkpoint named like '
                         'epoch_N.pth, iter_N.pth or best_<key>_epoch_N.pth')
    return int(m.group(1))
