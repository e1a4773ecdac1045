# Stage 0 of the toy protocol: the plain classifier trained from scratch,
# standing in for the ImageNet weights the paper starts from.
_base_ = './toy_cls_no-drs.py'
model = dict(
    backbone=dict(init_cfg=dict(
        _delete_=True, type='Kaiming', layer='Conv2d',
        nonlinearity='relu')))
# from scratch: higher lr, no lr groups, warm-up + cosine decay
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
default_hooks = dict(checkpoint=dict(interval=4, save_best=None))
work_dir = 'work_dirs/toy/pretrain'
