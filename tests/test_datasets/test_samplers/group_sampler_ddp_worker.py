"""One rank of ``test_ddp_gloo_two_ranks_never_split_a_group``.

Started by ``python -m torch.distributed.run --nproc_per_node=2`` (which sets
RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT). Every rank draws its batches
from a ``LabelGroupSampler`` loader and takes one DDP step of a tiny group
classifier; rank 0 saves what all ranks saw, plus the groups one process
would draw for the same seed and epoch, to ``OUT``.

Usage: worker.py TOY_VOC_ROOT OUT
"""
import gc
import os.path as osp
import sys

import torch
import torch.distributed as dist

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__))))))

import mmdrs  # noqa: E402,F401
from mmengine.model import MMDistributedDataParallel  # noqa: E402
from mmengine.optim import OptimWrapper  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmengine.runner import Runner  # noqa: E402
from mmseg.registry import MODELS  # noqa: E402


def build_loader(toy_voc):
    pipeline = [
        dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'),
        dict(type='LoadImageLabels'),
        dict(type='Resize', scale=(32, 32), keep_ratio=False),
        dict(type='PackImageLabelInputs')]
    one = dict(
        type='VOCImageLabelDataset', data_root=toy_voc,
        data_prefix=dict(img_path='JPEGImages',
                         seg_map_path='SegmentationClassAug'),
        ann_file='ImageSets/Segmentation/train.txt', pipeline=pipeline)
    return Runner.build_dataloader(dict(
        batch_size=6, num_workers=0,
        sampler=dict(type='LabelGroupSampler', group_size=3),
        collate_fn=dict(type='group_collate', group_size=3),
        dataset=dict(type='ConcatDataset', datasets=[
            one, dict(one, ann_file='ImageSets/Segmentation/aug.txt')])),
        seed=11)


def ddp_step(loader, world):
    """One DDP training step of a tiny group classifier on a batch; the
    wrapper is gone when this returns (a DDP reducer that outlives
    ``destroy_process_group`` can block the process at exit)."""
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='GroupCAMClassifier',
        data_preprocessor=dict(type='SegDataPreProcessor', size=(32, 32)),
        backbone=dict(type='VGG16D1', width=0.125, init_cfg=None),
        cam_head=dict(type='MultiLabelCAMHead', in_channels=64,
                      channels=16, num_classes=20, drs_cfg=None),
        neck=dict(type='GroupGraphNeck', group_size=3)))
    model.init_weights()
    ddp = MMDistributedDataParallel(module=model)
    optim = OptimWrapper(torch.optim.SGD(ddp.parameters(), lr=0.1))
    log = ddp.train_step(next(iter(loader)), optim)
    assert torch.isfinite(log['loss'])
    param = model.neck.fusion.weight.detach().clone()
    params = [None] * world
    dist.all_gather_object(params, param)
    assert torch.equal(params[0], params[1])  # gradients all-reduced
    del ddp, optim
    gc.collect()


def main(toy_voc, out):
    dist.init_process_group('gloo')
    rank, world = dist.get_rank(), dist.get_world_size()
    try:
        init_default_scope('mmseg')
        loader = build_loader(toy_voc)
        loader.sampler.set_epoch(2)
        batches = [[(d.img_path, d.group_index, d.group_member,
                     d.gt_img_labels.tolist()) for d in data['data_samples']]
                   for data in loader]
        ddp_step(loader, world)
        gathered = [None] * world
        dist.all_gather_object(gathered, batches)
        if rank == 0:
            paths = [loader.dataset.get_data_info(i)['img_path']
                     for i in range(len(loader.dataset))]
            groups = [tuple(paths[i] for i in g)
                      for g in loader.sampler.epoch_groups()]
            torch.save(dict(batches=gathered, groups=groups), out)
        dist.barrier()
    finally:
        dist.destroy_process_group()


if __name__ == '__main__':
    main(*sys.argv[1:3])
