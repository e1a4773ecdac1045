"""Config handling shared by ``tools/train.py`` and ``tools/test.py``."""
import argparse
import os
import os.path as osp
from typing import Optional

from mmengine.config import Config, DictAction

from .compat import configure_cpu_distributed


def load_runner_config(config: str,
                       launcher: str = 'none',
                       cfg_options: Optional[dict] = None,
                       work_dir: Optional[str] = None) -> Config:
    """Load a config the way mmseg's tools do, plus CPU-distributed support.

    Args:
        config (str): Path of the config file.
        launcher (str): ``none``, ``pytorch``, ``slurm`` or ``mpi``.
        cfg_options (dict, optional): ``--cfg-options`` overrides.
        work_dir (str, optional): ``--work-dir``; defaults to the config's
            ``work_dir`` or ``./work_dirs/<config name>``.

    Returns:
        Config: The config, ready for ``Runner.from_cfg``.
    """
    if not osp.isfile(config):
        raise FileNotFoundError(f'config file {config} not found')
    cfg = Config.fromfile(config)
    cfg.launcher = launcher
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(config))[0])
    configure_cpu_distributed(cfg, launcher)
    return cfg


def set_local_rank_env(local_rank: int) -> None:
    """Mirror ``--local-rank`` (torch.distributed.launch) into the env."""
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(local_rank)


def add_runner_args(parser: argparse.ArgumentParser) -> None:
    """Add the options every runner tool shares (mmseg 1.x spelling):
    ``--cfg-options``, ``--launcher`` and ``--local-rank``/``--local_rank``
    (as passed by ``torch.distributed.launch``)."""
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override some settings in the used config, the key-value pair '
        'in xxx=yyy format will be merged into config file.')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def guard_amp(cfg) -> bool:
    """Turn a config's AMP optimiser wrapper into a plain one without CUDA.

    Paper recipes train with mixed precision on GPUs (the DRS authors'
    DeepLab-V3+ runs use AMP); mmengine's ``AmpOptimWrapper`` refuses to
    build on a CPU. Without CUDA the wrapper becomes ``OptimWrapper`` and a
    warning says so, so the same config trains everywhere and the log shows
    that AMP was off.

    Returns:
        bool: True if AMP was turned off.
    """
    from mmengine.logging import print_log
    import torch
    ow = cfg.get('optim_wrapper', None)
    if not ow or ow.get('type') != 'AmpOptimWrapper' or \
            torch.cuda.is_available():
        return False
    ow.type = 'OptimWrapper'
    for key in ('loss_scale', 'dtype', 'use_fsdp'):
        ow.pop(key, None)
    print_log('AMP needs CUDA: training in float32 with OptimWrapper (the '
              "config's AmpOptimWrapper is kept for GPU runs)",
              logger='current', level=30)
    return True
