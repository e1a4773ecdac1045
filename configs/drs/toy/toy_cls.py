# Toy DRS classifier: the paper's recipe on the embedded toy VOC (112 px) with
# ImageNet EfficientNet-Lite0 and the model base's DRS (fixed delta 0.7 in the
# head convs); what is scaled and why: configs/drs/README.md.
_base_ = [
    '../../_base_/models/drs_efficientnet_lite0.py',
    '../../_base_/datasets/toy_voc_image_labels.py',
    '../../_base_/schedules/drs_cls_15e.py',
    '../../_base_/default_runtime.py'
]
model = dict(
    data_preprocessor=dict(size=(112, 112)),
    cam_head=dict(channels=256))
# 5x the paper's lr with a short warm-up, one x0.1 step near the end
optim_wrapper = dict(optimizer=dict(lr=5e-3))
auto_scale_lr = dict(enable=False)  # the toy lr is set for its batch of 16
max_epochs = 6
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=30),
    dict(type='MultiStepLR', by_epoch=True, milestones=[5], gamma=0.1)
]
train_cfg = dict(max_epochs=max_epochs, val_interval=2)
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=2, max_keep_ckpts=1),
    visualization=dict(draw=False))
randomness = dict(seed=0)
# the paper's scale ratios (0.8, 1, 1.2) around the toy's 112 px input
map_cfg = dict(scales=(90, 112, 134))
work_dir = 'work_dirs/toy/drs'
