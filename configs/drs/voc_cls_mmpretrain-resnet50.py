# DRS on an mmpretrain backbone (torchvision-layout ResNet-50, ImageNet
# weights), dilated to output stride 8.
_base_ = './voc_cls_r50.py'
custom_imports = dict(
    imports=['mmdrs', 'mmpretrain.models'], allow_failed_imports=False)
model = dict(
    backbone=dict(
        backbone=dict(
            _delete_=True,
            type='mmpretrain.ResNet',
            depth=50,
            num_stages=4,
            out_indices=(3, ),
            strides=(1, 2, 1, 1),
            dilations=(1, 1, 2, 4),
            init_cfg=dict(
                type='Pretrained', checkpoint='torchvision://resnet50'))))
