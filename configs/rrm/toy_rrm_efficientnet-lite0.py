# RRM one-step segmentation on the embedded toy VOC (112-px crops) with the
# offline ImageNet EfficientNet-Lite0 (first 4 stages, output stride 8): the
# paper's model and schedule scaled to the toy (configs/rrm/README.md).
_base_ = [
    '../_base_/models/rrm_efficientnet_lite0_cpu.py',
    '../_base_/datasets/toy_voc_image_labels.py',
    '../_base_/default_runtime.py'
]
model = dict(
    data_preprocessor=dict(size={{_base_.crop_size}}),
    backbone={{_base_.lite0_backbone}},
    cam_head=dict(in_channels=80),
    decode_head=dict(in_channels=80),
    cls_only_iters=400,
    # sigma_xy and weight scaled from the 321 crop to 112
    extra_losses=[
        dict(type='DenseEnergyLoss', sigma_rgb=15, sigma_xy=35,
             scale_factor=0.5, gate='rrm', kernel='lattice',
             loss_weight=3.8e-6)
    ])
train_dataloader = dict(batch_size=4)
val_dataloader = dict(
    batch_size=8,
    dataset=dict(ann_file='ImageSets/Segmentation/val.txt'))
test_dataloader = val_dataloader
val_evaluator = [dict(type='IoUMetric', iou_metrics=['mIoU'])]
test_evaluator = val_evaluator
max_iters = 1200
param_scheduler = [
    dict(type='PolyLR', eta_min=0, power=0.9, begin=0, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
log_processor = dict(by_epoch=False)
default_hooks = dict(
    logger=dict(interval=25),
    checkpoint=dict(interval=max_iters, max_keep_ckpts=1))
randomness = dict(seed=0)
work_dir = 'work_dirs/toy/rrm'
