"""Run training stages as ``tools/train.py`` subprocesses, resumably.

Used by ``tools/run_pipeline.py`` and ``tools/analysis/`` studies: a stage
is one training run in its own work dir; a ``stage_done.json`` marker (with
the final validation metrics) makes a finished stage skip itself, and an
interrupted one resumes from its ``last_checkpoint``.
"""
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import time
from typing import Optional, Sequence

from .atomic import atomic_write

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def write_text_atomic(path: str, text: str) -> None:
    """Write text atomically (see :func:`~mmdrs.utils.atomic.atomic_write`).
    """

    def write(tmp: str) -> None:
        with open(tmp, 'w') as f:
            f.write(text)

    atomic_write(path, write)


def write_json_atomic(path: str, obj) -> None:
    """Write JSON atomically (see :func:`write_text_atomic`)."""
    write_text_atomic(path, json.dumps(obj, indent=2))


def last_val_metrics(work_dir: str,
                     select: Optional[str] = None) -> Optional[dict]:
    """A run's validation row (with ``cam/mIoU`` or ``mIoU``) from its
    scalars: the last one, or with ``select`` (a metric key, e.g. the
    checkpoint hook's ``save_best``) the first with the highest value.
    ``train_iter_time`` is the median training-iteration time."""
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
    the best (``best_*.pth``; it keeps one), if any."""
    found = glob.glob(osp.join(work_dir, 'best_*.pth'))
    return max(found, key=osp.getmtime) if found else None


def run_stage(name: str, out_dir: str, fn, force: bool = False) -> dict:
    """Run ``fn() -> dict`` unless ``out_dir/stage_done.json`` exists.

    For non-training stages (maps, pseudo labels ...) whose tools skip the
    files they already wrote: an interrupted stage re-runs and finishes the
    rest; a finished one returns its recorded result at once.

    Returns:
        dict: ``fn``'s result plus ``stage`` and ``seconds``.
    """
    done = osp.join(out_dir, 'stage_done.json')
    if osp.isfile(done) and not force:
        with open(done) as f:
            return json.load(f)
    os.makedirs(out_dir, exist_ok=True)
    print(f'[stage {name}] -> {out_dir}', flush=True)
    t0 = time.time()
    result = dict(stage=name)
    result.update(fn())
    result['seconds'] = round(time.time() - t0, 1)
    write_json_atomic(done, result)
    return result


def run_tool(name: str, cmd: Sequence[str], log_path: str) -> None:
    """Run a tool subprocess (repo root as cwd), appending to ``log_path``;
    failure raises ``RuntimeError`` with the log's tail."""
    print(f'[stage {name}] {" ".join(cmd)}', flush=True)
    with open(log_path, 'a') as log:
        proc = subprocess.run(
            list(cmd), cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        with open(log_path) as f:
            tail = f.read()[-3000:]
        raise RuntimeError(f'stage {name} failed (exit {proc.returncode}); '
                           f'log: {log_path}\n{tail}')


def train_stage(name: str,
                config: str,
                work_dir: str,
                cfg_options: Sequence[str] = (),
                force: bool = False,
                gpus: int = 1,
                select: Optional[str] = None) -> dict:
    """Train ``config`` into ``work_dir`` unless already done.

    Args:
        name (str): Stage name (for messages and the result).
        config (str): Config path.
        work_dir (str): The stage's work dir.
        cfg_options (Sequence[str]): ``--cfg-options`` items.
        force (bool): Re-run even if the done-marker exists.
        gpus (int): More than 1 launches ``tools/dist_train.sh`` with that
            many processes.
        select (str, optional): The metric the run's checkpoint hook selects
            by (``save_best``): the result is then the best checkpoint and
            its validation row, as the paper's recipes keep the best epoch.

    Returns:
        dict: ``stage``, ``config``, ``checkpoint`` (the best one with
        ``select``, else the last), ``last_checkpoint``, ``seconds`` and the
        validation metrics of that checkpoint (``cam/mIoU`` ...).
    """
    done = osp.join(work_dir, 'stage_done.json')
    if osp.isfile(done) and not force:
        with open(done) as f:
            return json.load(f)
    os.makedirs(work_dir, exist_ok=True)
    if gpus > 1:
        cmd = ['bash', osp.join(REPO, 'tools', 'dist_train.sh'), config,
               str(gpus), '--work-dir', work_dir]
    else:
        cmd = [sys.executable, osp.join(REPO, 'tools', 'train.py'), config,
               '--work-dir', work_dir]
    if cfg_options:
        cmd += ['--cfg-options', *cfg_options]
    if osp.isfile(osp.join(work_dir, 'last_checkpoint')) and not force:
        cmd.append('--resume')
    t0 = time.time()
    run_tool(name, cmd, osp.join(work_dir, 'stage.log'))
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        last = f.read().strip()
    best = best_checkpoint(work_dir) if select else None
    result = dict(
        stage=name,
        config=config,
        checkpoint=best or last,
        last_checkpoint=last,
        seconds=round(time.time() - t0, 1))
    metrics = last_val_metrics(work_dir, select if best else None)
    if metrics is None:  # never a table row without its number
        raise RuntimeError(
            f'stage {name}: training ended without a validation result '
            f'(no validation row in {work_dir}/*/vis_data/scalars.json); '
            f'log: {osp.join(work_dir, "stage.log")}')
    result.update(metrics)
    write_json_atomic(done, result)
    return result
