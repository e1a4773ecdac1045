"""``seg-loss`` mode: a segmentation config as is (``plain``) against the
same network with an extra loss (``WSSSEncoderDecoder(extra_losses=...)``).
"""
import os.path as osp

import torch
from mmengine.config import Config
from mmseg.registry import MODELS

from .core import REPO, sum_losses

#: each variant's extra losses, the reference first
EXTRA_LOSSES = {
    'plain': None,
    'ocr': [dict(type='OutOfCandidateLoss')],  # at logit resolution
    'ocr-labels': [dict(type='OutOfCandidateLoss', resolution='labels')],
    'self-training': [dict(type='SelfTrainingLoss')],
}
VARIANTS = tuple(EXTRA_LOSSES)
DEFAULT_VARIANTS = VARIANTS


def build_seg_loss(args, variant: str):
    """The segmentor with the variant's extra loss, random labels/tags.

    Args:
        args (argparse.Namespace): ``config`` (relative to the
            repository), ``batch``, ``size``, ``device``.
        variant (str): One of :data:`EXTRA_LOSSES`.

    Returns:
        tuple: The model and ``loss(model)``.
    """
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample
    cfg = Config.fromfile(osp.join(REPO, args.config))
    model_cfg = dict(cfg.model)
    model_cfg['backbone'] = dict(model_cfg['backbone'], init_cfg=None)
    if EXTRA_LOSSES[variant] is not None:
        model_cfg.update(type='WSSSEncoderDecoder',
                         extra_losses=EXTRA_LOSSES[variant])
    model = MODELS.build(model_cfg)
    n, size = args.batch, args.size
    k = cfg.model.decode_head.num_classes
    g = torch.Generator().manual_seed(1)
    x = torch.randn(n, 3, size, size, generator=g)
    samples = []
    for _ in range(n):
        ds = SegDataSample(metainfo=dict(img_shape=(size, size),
                                         pad_shape=(size, size),
                                         padding_size=[0, 0, 0, 0]))
        ds.gt_sem_seg = PixelData(
            data=torch.randint(0, k, (1, size, size), generator=g))
        tags = torch.zeros(k - 1, dtype=torch.uint8)
        tags[torch.randint(0, k - 1, (2, ), generator=g)] = 1
        ds.gt_img_labels = tags
        samples.append(ds.to(args.device))
    x = x.to(args.device)
    return model, lambda m: sum_losses(m.loss(x, samples))
