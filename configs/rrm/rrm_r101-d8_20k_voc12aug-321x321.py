# RRM one-step segmentation on VOC 2012 train_aug (Zhang et al., AAAI 2020;
# configs/rrm/README.md). The authors' recipe A (train_from_cls_weight.py):
# batch 4, crop 321, 20k iterations, SGD lr 7e-4 poly 0.9, momentum 0 (their
# optimizer passes weight_decay into SGD's momentum slot), weight decay 1e-5,
# lr multipliers 1x/2x/10x/20x for pretrained weights/biases and new
# weights/biases, frozen BatchNorm; losses: multi-label soft margin + the
# background/foreground-balanced CE (sum) + the gated dense energy loss
# (sigma_rgb 15, sigma_xy 100, scale 0.5); CAMs averaged over scales
# 1/0.5/1.5/2 (no gradient for the extra scales); reliable-region labels
# with the authors' constants; single-scale whole-image inference.
# What differs (no ResNet-38 / PSA weights here):
# - backbone: mmseg's ResNetV1c-101 (ImageNet, output stride 8, 2048 ch)
#   instead of ResNet-38 (4096 ch) initialised from PSA's VOC classifier
#   (res38_cls.pth); without a VOC-trained classifier the first half of the
#   steps trains the classifier alone, as the authors' ImageNet recipe B;
# - random scale 0.7-1.3 drawn per image (the authors: one per batch);
# - dense loss weight 5.7e-8 = the authors' 1e-7 on the exact-Gaussian scale
#   (their permutohedral filter gives 0.57x the exact energy at this
#   setting, tools/benchmarks/dense_energy_loss.py).
_base_ = [
    '../_base_/datasets/voc12aug_image_labels.py',
    '../_base_/default_runtime.py'
]
num_classes = 21
crop_size = (321, 321)
model = dict(
    type='RRMSegmentor',
    data_preprocessor=dict(
        type='SegDataPreProcessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_val=0,
        seg_pad_val=255,
        size=crop_size),
    backbone=dict(
        type='ResNetV1c',
        depth=101,
        num_stages=4,
        out_indices=(3, ),
        dilations=(1, 1, 2, 4),
        strides=(1, 2, 1, 1),
        norm_cfg=dict(type='BN', requires_grad=False),
        norm_eval=True,
        contract_dilation=True,
        init_cfg=dict(
            type='Pretrained', checkpoint='open-mmlab://resnet101_v1c')),
    cam_head=dict(
        type='MultiLabelCAMHead',
        in_channels=2048,
        num_classes=num_classes - 1,
        num_convs=0,
        drs_cfg=None,
        classifier_bias=False,
        init_cfg=dict(type='Xavier', layer='Conv2d',
                      distribution='uniform')),
    decode_head=dict(
        type='RRMHead',
        in_channels=2048,
        channels=512,
        dilation=12,
        num_classes=num_classes,
        align_corners=False,
        loss_decode=dict(type='BgFgBalancedCELoss', reduction='sum')),
    labeler=dict(type='ReliableRegionLabeler', bg_power=32,
                 crf_powers=(4, 32), cam_floor=0.1, fg_percentile=0.6,
                 bg_sure=0.8, crf_conf=0.8),
    cam_scales=(0.5, 1.5, 2.0),
    cam_dropout=0.5,
    cls_only_iters=10000,
    extra_losses=[
        dict(type='DenseEnergyLoss', sigma_rgb=15, sigma_xy=100,
             scale_factor=0.5, gate='rrm', kernel='lattice',
             gradient='authors', loss_weight=5.7e-8)
    ],
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),  # image tags from the masks (not used
    dict(type='LoadImageLabels'),  # as pixel labels)
    dict(type='RandomResize', scale=(500, 500), ratio_range=(0.7, 1.3),
         keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='PackImageLabelInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
rrm_train = dict(
    type='VOCImageLabelDataset',
    data_root='data/VOCdevkit/VOC2012',
    data_prefix=dict(
        img_path='JPEGImages', seg_map_path='SegmentationClassAug'),
    ann_file='ImageSets/Segmentation/train.txt',
    pipeline=train_pipeline)
train_dataloader = dict(
    batch_size=4,
    dataset=dict(datasets=[
        rrm_train,
        dict(rrm_train, ann_file='ImageSets/Segmentation/aug.txt')
    ]))
val_dataloader = dict(
    batch_size=1,
    dataset=dict(ann_file='ImageSets/Segmentation/val.txt',
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = [dict(type='IoUMetric', iou_metrics=['mIoU'])]
test_evaluator = val_evaluator
optim_wrapper = dict(
    type='OptimWrapper',
    constructor='BiasLrMultOptimWrapperConstructor',
    optimizer=dict(type='SGD', lr=7e-4, momentum=0, weight_decay=1e-5),
    paramwise_cfg=dict(
        bias_lr_mult=2.0,
        bias_decay_mult=0.0,
        custom_keys={
            'cam_head': dict(lr_mult=10.0, bias_lr_mult=2.0),
            'decode_head': dict(lr_mult=10.0, bias_lr_mult=2.0,
                                bias_decay_mult=0.0),
        }))
max_iters = 20000
param_scheduler = [
    dict(type='PolyLR', eta_min=0, power=0.9, begin=0, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters,
    val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
log_processor = dict(by_epoch=False)
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=2000,
                    max_keep_ckpts=2),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook', draw=False))
work_dir = 'work_dirs/rrm_voc'
