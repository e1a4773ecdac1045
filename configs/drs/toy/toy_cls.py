# Toy DRS classifier (learnable delta): the paper's model and recipe on the
# embedded toy VOC, with a narrow VGG-16 D1 whose weights come from the
# stage-0 classifier trained without DRS (toy_cls_pretrain.py, the stand-in
# for ImageNet weights): DRS is inserted into that backbone and fine-tuned,
# the paper's order (drs.md §10). Run by tools/run_pipeline.py.
_base_ = [
    '../../_base_/models/drs_vgg16_d1.py',
    '../../_base_/datasets/toy_voc_image_labels.py',
    '../../_base_/schedules/drs_cls_15e.py',
    '../../_base_/default_runtime.py'
]
width = 0.25
pretrained = 'work_dirs/toy/pretrain/epoch_16.pth'
model = dict(
    data_preprocessor=dict(size=(112, 112)),
    backbone=dict(
        backbone=dict(
            width=width,
            init_cfg=dict(
                type='Pretrained', checkpoint=pretrained,
                prefix='backbone.'))),
    cam_head=dict(in_channels=128, channels=128))
optim_wrapper = dict(optimizer=dict(lr=5e-3))
max_epochs = 6
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[4], gamma=0.1)
]
train_cfg = dict(max_epochs=max_epochs, val_interval=2)
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=2, max_keep_ckpts=1),
    visualization=dict(draw=False))
randomness = dict(seed=0)
work_dir = 'work_dirs/toy/drs'
