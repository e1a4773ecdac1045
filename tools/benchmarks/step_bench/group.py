"""``group`` mode: the Group-WSSS classifier against the plain CAM
classifier, at the same batch (a whole number of groups of 3)."""
import os.path as osp

import torch
from mmengine.config import Config
from mmseg.registry import MODELS

from .core import REPO, sum_losses

#: the reference first
VARIANTS = ('plain', 'group')
DEFAULT_VARIANTS = VARIANTS
#: ``--model``: each variant's config
GROUP_CONFIGS = {
    'efficientnet': dict(plain='configs/drs/toy/toy_cls_no-drs.py',
                         group='configs/group_wsss/toy_group_cls.py'),
    'vgg16': dict(plain='configs/drs/voc_cls_no-drs.py',
                  group='configs/group_wsss/group_vgg16_d1_voc.py'),
}


def build_group(args, variant: str):
    """The plain or Group-WSSS classifier and its loss on groups of 3.

    Args:
        args (argparse.Namespace): ``model``, ``width`` (VGG),
            ``num_classes``, ``batch``, ``size``, ``device``.
        variant (str): ``'plain'`` or ``'group'``.

    Returns:
        tuple: The model and ``loss(model)``.
    """
    from mmseg.structures import SegDataSample
    cfg = Config.fromfile(osp.join(REPO, GROUP_CONFIGS[args.model][variant]))
    inner = cfg.model.backbone.backbone
    inner.init_cfg = None
    if args.model == 'vgg16':
        inner.width = args.width
        ch = int(round(512 * args.width))
        cfg.model.cam_head.update(in_channels=ch, channels=ch)
    cfg.model.cam_head.num_classes = args.num_classes
    model = MODELS.build(cfg.model)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(args.batch, 3, args.size, args.size,
                    generator=g).to(args.device)
    samples = []
    for i in range(args.batch):
        ds = SegDataSample(metainfo=dict(group_size=3, group_member=i % 3))
        lab = torch.zeros(args.num_classes, dtype=torch.uint8)
        lab[(i // 3) % args.num_classes] = 1  # a group shares its label
        ds.gt_img_labels = lab
        samples.append(ds.to(args.device))
    return model, lambda m: sum_losses(m.loss(x, samples))
