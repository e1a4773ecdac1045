# Refinement learning on the toy data: voc_refine.py with the offline ImageNet
# EfficientNet-Lite0 backbone (no DRS, as the classifier's), 112-px inputs, the
# paper's lr 1e-4 and 6 epochs instead of 30 (configs/drs/README.md).
_base_ = [
    '../voc_refine.py', '../../_base_/models/efficientnet_lite0_os8.py'
]
data_root = 'data/toy_voc'
maps_dir = 'work_dirs/toy/maps/drs'  # as tools/run_pipeline.py writes
model = dict(
    data_preprocessor=dict(
        size=(112, 112), mean={{_base_.lite0_mean}},
        std={{_base_.lite0_std}}),
    backbone={{_base_.lite0_backbone}},
    refine_head=dict(in_channels=80, channels=256))
map_cfg = dict(scales=(90, 112, 134))
refine_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(112, 112), keep_ratio=False),
    dict(type='LoadCAMTargets', maps_dir=maps_dir, resize_to_image=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RandomColorJitter', brightness=0.3, contrast=0.3,
         saturation=0.3, hue=0.1),
    dict(type='PackImageLabelInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(112, 112), keep_ratio=False),
    dict(type='LoadAnnotations'),
    dict(type='LoadImageLabels'),
    dict(type='PackImageLabelInputs'),
]
train_dataloader = dict(
    batch_size=16,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline=refine_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='IoUMetric', iou_metrics=['mIoU']),
    dict(type='CAMIoUMetric', saliency_dir='SaliencyMaps', normalize=True),
]
test_evaluator = val_evaluator
optim_wrapper = dict(optimizer=dict(lr=1e-4))
auto_scale_lr = dict(enable=False)  # the toy lr is set for its batch of 16
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
work_dir = 'work_dirs/toy/refine'
