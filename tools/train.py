# Copyright (c) mmdrs contributors. Interface of mmseg 1.x's tools/train.py.
"""Train a model (DRS classifier, refinement net, segmentor) from a config."""
import argparse
import os
import os.path as osp
import sys
import warnings

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..'))
# mmengine imports pkg_resources at import time (setuptools<81 is pinned
# for mmcv's build); the deprecation notice is not actionable for users.
warnings.filterwarnings('ignore', message='pkg_resources is deprecated')

import mmdrs  # noqa: E402,F401  (applies the stack shims)
from mmengine.logging import print_log  # noqa: E402
from mmengine.runner import Runner  # noqa: E402
from mmseg.registry import RUNNERS  # noqa: E402

from mmdrs.utils.runner_cfg import (add_runner_args,  # noqa: E402
                                    guard_amp, load_runner_config,
                                    set_local_rank_env)
from mmdrs.engine.hooks import (FinalValidationHook,  # noqa: E402
                                InvalidLossHook)
from mmdrs.utils.compat import exit_finished_distributed_run  # noqa: E402
from mmdrs.utils.total_batch import fit_total_batch  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        action='store_true',
        default=False,
        help='resume from the latest checkpoint in the work_dir '
        'automatically')
    parser.add_argument(
        '--amp',
        action='store_true',
        default=False,
        help='enable automatic-mixed-precision training (CUDA only)')
    add_runner_args(parser)
    args = parser.parse_args(argv)
    set_local_rank_env(args.local_rank)
    return args


def main(argv=None):
    args = parse_args(argv)
    cfg = load_runner_config(args.config, args.launcher, args.cfg_options,
                             args.work_dir)
    if args.amp:
        optim_wrapper = cfg.optim_wrapper.type
        if optim_wrapper == 'AmpOptimWrapper':
            print_log('AMP training is already enabled in your config.',
                      logger='current')
        else:
            assert optim_wrapper == 'OptimWrapper', (
                '`--amp` is only supported when the optimizer wrapper type is '
                f'`OptimWrapper` but got {optim_wrapper}.')
            cfg.optim_wrapper.type = 'AmpOptimWrapper'
            cfg.optim_wrapper.loss_scale = 'dynamic'
    cfg.resume = args.resume
    guard_amp(cfg)
    # the recipe's total batch (auto_scale_lr.base_batch_size) for this
    # number of processes: gradient accumulation or linear lr scaling
    world = int(os.environ.get('WORLD_SIZE', 1)) \
        if args.launcher != 'none' else 1
    batch = fit_total_batch(cfg, world)
    if batch is not None:
        print_log(batch['message'], logger='current')
    if 'runner_type' not in cfg:
        runner = Runner.from_cfg(cfg)
    else:
        runner = RUNNERS.build(cfg)
    # a run resumed after its last step still validates its final model
    runner.register_hook(FinalValidationHook(), 'LOW')
    # a diverged run stops at its first NaN/inf loss, not with NaN results
    runner.register_hook(InvalidLossHook())
    runner.train()


if __name__ == '__main__':
    main()
    exit_finished_distributed_run()  # torch 2.13 gloo teardown (compat)
