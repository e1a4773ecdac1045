"""Keep a recipe's total batch whatever the number of training processes.

The DRS authors train the classifier and the refiner with 5 images per GPU
on 2 GPUs, 10 images per optimisation step, at their learning rate. A
config states that with mmengine's own key::

    auto_scale_lr = dict(enable=True, base_batch_size=10)

and :func:`fit_total_batch` (applied by ``tools/train.py`` through
:func:`~mmdrs.utils.runner_cfg.load_runner_config`) makes the run reproduce
it:

* when ``base_batch_size`` is a whole multiple of the images per step
  (processes x ``train_dataloader.batch_size``), gradients are accumulated
  over that many steps (``optim_wrapper.accumulative_counts``) and the lr is
  left as configured - exact for networks without batch statistics (VGG-16
  with DRS): 1 process x 5 images x 2 steps = 10;
* otherwise mmengine's ``auto_scale_lr`` scales the lr linearly to the real
  batch (4 processes x 5 = 20 images: lr x 2), the usual linear-scaling rule.

mmengine itself would always scale the lr (its batch ignores accumulation),
so when accumulation makes the batch exact ``auto_scale_lr`` is switched off.

Iteration counts are counted in optimisation steps of the recipe: when the
accumulation differs from the config's ``optim_wrapper.accumulative_counts``
(e.g. the authors' DeepLab-V2, 2 GPUs x 5 images x 2 steps = 20 images per
update, on 1 process: 4 steps), everything an mmengine run counts in
iterations - ``train_cfg.max_iters`` / ``val_interval`` of an iteration-based
loop, iteration-based ``param_scheduler`` ``begin`` / ``end``, an
iteration-based checkpoint interval - is scaled by the same factor, so the
run still makes the recipe's number of updates with the recipe's schedule.
"""
from typing import Optional


def fit_total_batch(cfg, world_size: int) -> Optional[dict]:
    """Adapt ``cfg`` (in place) to keep ``auto_scale_lr.base_batch_size``.

    Args:
        cfg (mmengine.Config): A training config.
        world_size (int): Number of training processes.

    Returns:
        dict | None: None when the config has no enabled ``auto_scale_lr``;
        else ``total_batch`` (images per optimisation step), ``per_process``,
        ``processes``, ``accumulation``, ``lr_scale`` (factor applied to
        every lr by mmengine) and ``message``.
    """
    asl = cfg.get('auto_scale_lr', None)
    if not asl or not asl.get('enable', False):
        return None
    if 'base_batch_size' not in asl:
        raise KeyError('auto_scale_lr needs base_batch_size (the total batch '
                       'of the recipe)')
    base = int(asl['base_batch_size'])
    per_process = int(cfg.train_dataloader.batch_size)
    configured = int(cfg.optim_wrapper.get('accumulative_counts', 1))
    per_step = per_process * world_size
    if base % per_step == 0:  # exact: accumulate base / per_step steps
        acc = base // per_step
        cfg.optim_wrapper.accumulative_counts = acc
        if acc != configured:
            _scale_iterations(cfg, acc / configured)
        asl.enable = False
        lr_scale = 1.0
        how = 'lr as configured'
    else:
        acc = 1
        cfg.optim_wrapper.accumulative_counts = 1
        if configured != 1:
            _scale_iterations(cfg, 1 / configured)
        lr_scale = per_step / base
        how = (f'lr x{lr_scale:g} (mmengine auto_scale_lr, linear scaling '
               f'from the recipe\'s batch of {base})')
    total = per_step * acc
    msg = (f'total batch {total} = {world_size} process(es) x {per_process} '
           f'images x {acc} accumulation step(s); {how}')
    return dict(total_batch=total, per_process=per_process,
                processes=world_size, accumulation=acc, lr_scale=lr_scale,
                message=msg)


def _scale_iterations(cfg, factor: float) -> None:
    """Multiply everything counted in training iterations by ``factor``."""

    def scaled(v):
        out = round(v * factor)
        if abs(out - v * factor) > 1e-6:
            raise ValueError(
                f'iteration count {v} x {factor:g} is not a whole number; '
                'choose a batch size that divides the recipe\'s total batch')
        return out

    loop = cfg.get('train_cfg', None) or {}
    if not loop.get('by_epoch', 'Epoch' in loop.get('type', '')):
        for key in ('max_iters', 'val_interval'):
            if key in loop:
                loop[key] = scaled(loop[key])
    scheds = cfg.get('param_scheduler', None) or []
    for sched in scheds if isinstance(scheds, (list, tuple)) else [scheds]:
        if not sched.get('by_epoch', True):
            for key in ('begin', 'end'):
                if key in sched and sched[key] is not None:
                    sched[key] = scaled(sched[key])
    ckpt = (cfg.get('default_hooks', None) or {}).get('checkpoint', None)
    if ckpt and not ckpt.get('by_epoch', True) and 'interval' in ckpt:
        ckpt['interval'] = scaled(ckpt['interval'])
