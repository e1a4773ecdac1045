# Toy plain-CAM baseline: the pretrained (stage 0) backbone, a fresh head, the
# DRS recipe's lr groups, fine-tuned for the same budget as the DRS runs.
_base_ = ['../voc_cls_no-drs.py', '../../_base_/datasets/toy_voc_image_labels.py']
pretrained = 'work_dirs/toy/pretrain/epoch_16.pth'
backbone = dict(
    type='VGG16D1',
    width=0.25,
    init_cfg=dict(type='Pretrained', checkpoint=pretrained,
                  prefix='backbone.'))
model = dict(
    backbone=dict(_delete_=True, **backbone),
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
    visualization=dict(type='SegVisualizationHook', draw=False))
work_dir = 'work_dirs/toy/no-drs'
