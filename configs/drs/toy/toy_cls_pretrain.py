# Stage 0 of the toy protocol: a plain (no-DRS) narrow VGG-16 D1 classifier
# trained from scratch on the toy data. It stands in for the ImageNet
# weights the paper starts from (drs.md §10): DRS is then inserted into this
# backbone and fine-tuned, as the paper does with VGG-16.
_base_ = ['../voc_cls_no-drs.py', '../../_base_/datasets/toy_voc_image_labels.py']
width = 0.25
model = dict(
    backbone=dict(width=width, init_cfg=dict(
        _delete_=True, type='Kaiming', layer='Conv2d',
        nonlinearity='relu')),
    cam_head=dict(in_channels=128, channels=128))
# from scratch: a higher lr, no multipliers, cosine decay
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(
        type='SGD', lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4))
max_epochs = 16
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=max_epochs,
         T_max=max_epochs)
]
train_cfg = dict(max_epochs=max_epochs, val_interval=4)
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=4, max_keep_ckpts=1, save_best=None),
    visualization=dict(type='SegVisualizationHook', draw=False))
work_dir = 'work_dirs/toy/pretrain'
