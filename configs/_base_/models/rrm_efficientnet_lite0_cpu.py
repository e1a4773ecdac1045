# RRM at CPU scale on the ImageNet EfficientNet-Lite0 (the toy and photo
# recipes of configs/rrm/; why each change: configs/rrm/README.md): the RRM
# model with Lite0's input normalisation and a narrower segmentation branch
# - dilation 2 for a 14x14 feature map, N(0, 0.01) init (Xavier misfires on
# these unnormalised features) - and the RRM schedule with momentum 0.9,
# weight decay on biases too and the segmentation branch at 1x. A config
# over it sets the backbone and its channels, the crop, the dense loss, the
# data and the iterations.
_base_ = [
    './rrm_r101-d8.py', './efficientnet_lite0_os8.py',
    '../schedules/rrm_20k.py'
]
model = dict(
    data_preprocessor=dict(
        mean={{_base_.lite0_mean}}, std={{_base_.lite0_std}}),
    decode_head=dict(
        channels=128,
        dilation=2,
        init_cfg=dict(type='Normal', layer='Conv2d', std=0.01)))
optim_wrapper = dict(
    optimizer=dict(lr=5e-3, momentum=0.9, weight_decay=1e-4),
    paramwise_cfg=dict(
        _delete_=True,
        bias_lr_mult=2.0,
        custom_keys={
            'cam_head': dict(lr_mult=10.0, bias_lr_mult=2.0),
            'decode_head': dict(lr_mult=1.0, bias_lr_mult=2.0),
        }))
