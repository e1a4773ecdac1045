# Plain-CAM baseline: the same classifier and recipe without DRS.
_base_ = './voc_cls.py'
model = dict(
    backbone=dict(
        _delete_=True,
        type='VGG16D1',
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://vgg16')),
    cam_head=dict(drs_cfg=None))
