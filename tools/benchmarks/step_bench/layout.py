"""``layout`` mode: a config's training step with its weights in the
default (NCHW) memory format against the same with them channels-last (what
:class:`~mmdrs.engine.ChannelsLastHook` does to a run), on a batch of the
config's own training images.
"""
import os.path as osp

import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmseg.registry import DATASETS, MODELS

from .core import REPO, sum_losses

#: each variant's weight memory format, the reference first
FORMATS = {'nchw': torch.contiguous_format,
           'channels-last': torch.channels_last}
VARIANTS = tuple(FORMATS)
DEFAULT_VARIANTS = VARIANTS


def _batch(cfg: Config, n: int) -> dict:
    """The first ``n`` images of the config's training set through its
    training pipeline, collated (``data_root`` relative to the repo)."""
    ds_cfg = cfg.train_dataloader.dataset
    if not osp.isabs(ds_cfg.data_root):
        ds_cfg.data_root = osp.join(REPO, ds_cfg.data_root)
    dataset = DATASETS.build(ds_cfg)
    if len(dataset) < n:
        raise ValueError(f'{ds_cfg.data_root}: {len(dataset)} training '
                         f'images, the batch needs {n}')
    return pseudo_collate([dataset[i] for i in range(n)])


def build_layout(args, variant: str):
    """The config's model (random weights: step time does not depend on
    them) in the variant's memory format, and its loss on a fixed batch.

    Args:
        args (argparse.Namespace): ``config`` (relative to the
            repository), ``cfg_options`` (overrides), ``batch`` (None: the
            config's), ``device``.
        variant (str): One of :data:`FORMATS`.

    Returns:
        tuple: The model and ``loss(model)``.
    """
    cfg = Config.fromfile(osp.join(REPO, args.config))
    cfg.merge_from_dict(getattr(args, 'cfg_options', None) or {})
    args.batch = args.batch or cfg.train_dataloader.batch_size
    torch.manual_seed(0)
    data = _batch(cfg, args.batch)
    model = MODELS.build(cfg.model).to(args.device)
    batch = model.data_preprocessor(data, True)
    model.to(memory_format=FORMATS[variant])
    inputs, samples = batch['inputs'], batch['data_samples']
    return model, lambda m: sum_losses(m.loss(inputs, samples))
