"""What a finished ``tools/train.py`` run left in its work dir: validation
rows in mmengine's ``vis_data/scalars.json`` and the best checkpoint."""
import glob
import json
import os.path as osp
from typing import Optional


def last_val_metrics(work_dir: str,
                     select: Optional[str] = None) -> Optional[dict]:
    """A run's validation row (with ``cam/mIoU`` or ``mIoU``) from its
    scalars.

    Args:
        work_dir (str): The run's work dir (``<work_dir>/<timestamp>/
            vis_data/scalars.json``, every timestamp of resumed runs).
        select (str, optional): A metric key (e.g. the checkpoint hook's
            ``save_best``): the first row with its highest value instead of
            the last row.

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
    if not val:
        return None
    out = dict(val[-1])
    scored = [r for r in val if select and r.get(select) is not None]
    if scored:
        out = dict(max(scored, key=lambda r: r[select]))
    if train:  # median train-iteration time
        times = sorted(r['time'] for r in train)
        out['train_iter_time'] = times[len(times) // 2]
    return out


def best_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint mmengine's ``CheckpointHook(save_best=...)`` kept as
    the best (``best_*.pth``; it keeps one), if any.

    Args:
        work_dir (str): The run's work dir.

    Returns:
        str | None: Its path, the newest where there are several.
    """
    found = glob.glob(osp.join(work_dir, 'best_*.pth'))
    return max(found, key=osp.getmtime) if found else None
