"""Run pipeline stages as tool subprocesses, resumably.

Used by the pipeline stages (:mod:`mmdrs.pipeline.stages`) and the
``tools/analysis/`` studies: a stage is one tool run (``tools/train.py``,
``tools/generate_maps.py`` ...) in its own folder; its done marker
(:mod:`mmdrs.pipeline.markers`, with the result, e.g. the final validation
metrics) makes a finished stage skip itself, and an interrupted training
run resumes from its ``last_checkpoint``.

Tools run in the caller's working directory, so the work dirs, data roots
and output folders a user gives (relative or not) mean the same to the
pipeline and to its tools; the tool scripts and configs are named by
absolute paths under :data:`~mmdrs.pipeline.runner.REPO` (the checkout, or
an installed copy's ``mmdrs/.mim``; :func:`repo_path`).
"""
import os
import os.path as osp
import subprocess
import sys
import time
from typing import Callable, Optional, Sequence

from .markers import read_done_marker, write_done_marker
from .runner import REPO
from .train_results import (best_checkpoint, checkpoint_step,
                            last_val_metrics)


def repo_path(path: str) -> str:
    """A tool script or config named relative to the folder holding
    ``tools/`` and ``configs/`` (:data:`~mmdrs.pipeline.runner.REPO`), as
    an absolute path; an absolute ``path`` is returned unchanged.

    Args:
        path (str): E.g. ``'tools/generate_maps.py'`` or a stage's config.

    Returns:
        str: The absolute path.
    """
    return path if osp.isabs(path) else osp.join(REPO, path)


def run_stage(name: str, out_dir: str, fn: Callable[[], dict],
              force: bool = False) -> dict:
    """Run ``fn() -> dict`` unless ``out_dir`` has a done marker.

    For non-training stages (maps, pseudo labels ...) whose tools skip the
    files they already wrote: an interrupted stage re-runs and finishes the
    rest; a finished one returns its recorded result at once.

    Args:
        name (str): Stage name (for messages and the result).
        out_dir (str): The stage's folder (created if missing).
        fn (Callable[[], dict]): Runs the stage, returns its result.
        force (bool): Re-run even if the done marker exists.

    Returns:
        dict: ``fn``'s result plus ``stage`` and ``seconds``.
    """
    done = read_done_marker(out_dir)
    if done is not None and not force:
        return done
    os.makedirs(out_dir, exist_ok=True)
    print(f'[stage {name}] -> {out_dir}', flush=True)
    t0 = time.time()
    result = dict(stage=name)
    result.update(fn())
    result['seconds'] = round(time.time() - t0, 1)
    write_done_marker(out_dir, result)
    return result


def run_tool(name: str, cmd: Sequence[str], log_path: str) -> None:
    """Run a tool subprocess in the caller's working directory, appending
    its output to ``log_path``.

    Args:
        name (str): Stage name (for messages).
        cmd (Sequence[str]): The command line, its tool script and config
            as absolute paths (:func:`repo_path`).
        log_path (str): Log file, appended to.

    Raises:
        RuntimeError: The tool failed; the message has the log's tail.
    """
    print(f'[stage {name}] {" ".join(cmd)}', flush=True)
    with open(log_path, 'a') as log:
        proc = subprocess.run(
            list(cmd), stdout=log, stderr=subprocess.STDOUT)
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
        config (str): Config path (relative: to
            :data:`~mmdrs.pipeline.runner.REPO`, :func:`repo_path`).
        work_dir (str): The stage's work dir (relative: to the working
            directory).
        cfg_options (Sequence[str]): ``--cfg-options`` items.
        force (bool): Re-run even if the done marker exists.
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
    done = read_done_marker(work_dir)
    if done is not None and not force:
        return done
    os.makedirs(work_dir, exist_ok=True)
    if gpus > 1:
        cmd = ['bash', repo_path('tools/dist_train.sh'), repo_path(config),
               str(gpus), '--work-dir', work_dir]
    else:
        cmd = [sys.executable, repo_path('tools/train.py'),
               repo_path(config), '--work-dir', work_dir]
    if cfg_options:
        cmd += ['--cfg-options', *cfg_options]
    if osp.isfile(osp.join(work_dir, 'last_checkpoint')) and not force:
        cmd.append('--resume')
    t0 = time.time()
    run_tool(name, cmd, osp.join(work_dir, 'stage.log'))
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        last = f.read().strip()
    best = best_checkpoint(work_dir, select) if select else None
    result = dict(
        stage=name,
        config=config,
        checkpoint=best or last,
        last_checkpoint=last,
        seconds=round(time.time() - t0, 1))
    # the row of the checkpoint recorded: the best file's own step
    step = checkpoint_step(best) if best else None
    metrics = last_val_metrics(work_dir, step=step)
    if metrics is None:  # never a table row without its number
        which = f' of step {step} ({best})' if best else ''
        raise RuntimeError(
            f'stage {name}: training ended without a validation result'
            f'{which} (no such row in {work_dir}/*/vis_data/scalars.json); '
            f'log: {osp.join(work_dir, "stage.log")}')
    result.update(metrics)
    write_done_marker(work_dir, result)
    return result
