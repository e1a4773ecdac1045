# DeepLab-V3+ ResNet-101 on DRS pseudo labels, the DRS authors' recipe
# (docs/fidelity.md): output stride 16, crop 513, 32 images per step, 20k
# iterations, AMP; ..._paper_crop-val.py evaluates on their val crops.
_base_ = ['./deeplabv3plus_r101-d8_voc12aug_pseudo.py']
crop_size = (513, 513)
model = dict(
    data_preprocessor=dict(size=crop_size),
    pretrained='torchvision://resnet101',
    backbone=dict(
        type='ResNet',
        style='pytorch',
        strides=(1, 2, 2, 1),
        dilations=(1, 1, 1, 2),
        contract_dilation=True,
        norm_cfg=dict(type='SyncBN', requires_grad=True, momentum=0.01)),
    decode_head=dict(channels=256, c1_channels=48, dilations=(1, 6, 12, 18)),
    auxiliary_head=None)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadPseudoLabels', pseudo_dir={{_base_.pseudo_label_dir}}),
    # VOC images are at most 500 px: a long side of 500 x U(0.5, 2) is the
    # authors' random scale of the original image
    dict(type='RandomResize', scale=(500, 500), ratio_range=(0.5, 2.0),
         keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
train_dataloader = dict(batch_size=8, dataset=dict(pipeline=train_pipeline))
optim_wrapper = dict(
    _delete_=True,
    type='AmpOptimWrapper',
    loss_scale='dynamic',
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}))
# 32 images per step (the authors: 2 GPUs x 16); tools/train.py keeps it:
# 4 processes x 8, or 8 x 2 processes x 2 accumulated steps, ...
auto_scale_lr = dict(enable=True, base_batch_size=32)
max_iters = 20000
param_scheduler = [
    dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters,
                 val_interval=1000)
default_hooks = dict(
    checkpoint=dict(by_epoch=False, interval=1000, max_keep_ckpts=2,
                    save_best='mIoU', rule='greater'))
# the authors' test-time dense CRF (their eval.py; tools/test.py --crf)
crf_cfg = dict(iters=10, gauss_sxy=1, gauss_compat=3, bilateral_sxy=67,
               bilateral_srgb=3, bilateral_compat=4)
randomness = dict(seed=2)
