# DeepLab-V2 ResNet-101 on DRS pseudo labels, the DRS authors' recipe
# (docs/fidelity.md): COCO DeepLab-v1 init, converted first (never ImageNet;
# configs/drs/README.md), caffe ResNet, frozen BN, MSC + self-training, --crf.
_base_ = ['./deeplabv2_r101-d8_voc12aug_pseudo.py']
load_from = 'work_dirs/pretrained/deeplabv1_resnet101-coco_mmseg.pth'
crop_size = (321, 321)
# the top-level variable too: mmseg's TTA wrapper gives it to the segmentor
data_preprocessor = dict(
    mean=[104.008, 116.669, 122.675],  # caffe BGR mean, no std
    std=[1.0, 1.0, 1.0],
    bgr_to_rgb=False,
    size=crop_size)
model = dict(
    type='WSSSEncoderDecoder',
    data_preprocessor=data_preprocessor,
    pretrained=None,
    backbone=dict(
        _delete_=True,
        type='MSRAResNet',
        depth=101,
        num_stages=4,
        out_indices=(3, ),
        dilations=(1, 1, 2, 4),
        strides=(1, 2, 1, 1),
        norm_cfg=dict(type='BN', requires_grad=False),
        norm_eval=True,
        init_cfg=None),
    decode_head=dict(in_index=0),
    train_scales=(0.75, 0.5),
    test_scales=(0.5, 0.75),
    loss_resolution='logits',
    extra_losses=[dict(type='SelfTrainingLoss', mask='multiply')])
# image-level tags for the self-training term: the VOC XML labels
# (the authors read theirs from the train_aug class list)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadPseudoLabels', pseudo_dir={{_base_.pseudo_label_dir}}),
    dict(type='LoadImageLabels'),
    dict(
        type='RandomChoice',
        transforms=[[dict(type='Resize', scale_factor=s, keep_ratio=True)]
                    for s in (0.5, 0.75, 1.0, 1.25, 1.5)]),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackImageLabelInputs')
]
train_dataloader = dict(
    batch_size=5,
    dataset=dict(
        type='VOCImageLabelDataset',
        label_source='xml',
        pipeline=train_pipeline))
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs')
]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    constructor='BiasLrMultOptimWrapperConstructor',
    optimizer=dict(type='SGD', lr=2.5e-4, momentum=0.9, weight_decay=5e-4),
    accumulative_counts=2,
    paramwise_cfg=dict(custom_keys={
        'decode_head':
        dict(lr_mult=10.0, bias_lr_mult=2.0, bias_decay_mult=0.0)
    }))
# 5 images per GPU on 2 GPUs, 2 accumulated steps (iter_size): 20 images
# per update; tools/train.py keeps it for other process counts and scales
# the iteration counts below with the accumulation (mmdrs/utils/
# total_batch.py). Counts are for 2 processes: 20k iterations = 10k updates.
auto_scale_lr = dict(enable=True, base_batch_size=20)
max_iters = 20000
param_scheduler = [
    dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=max_iters,
         by_epoch=False)
]
# the authors validate every 100 updates and keep the best val checkpoint
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters,
                 val_interval=2000)
default_hooks = dict(
    checkpoint=dict(by_epoch=False, interval=2000, max_keep_ckpts=2,
                    save_best='mIoU', rule='greater'))
# the authors' test-time dense CRF (tools/test.py --crf)
crf_cfg = dict(iters=10, gauss_sxy=1, gauss_compat=3, bilateral_sxy=67,
               bilateral_srgb=3, bilateral_compat=4)
randomness = dict(seed=1)
