# Toy plain-CAM baseline: same backbone weights, head and budget as
# toy_cls.py, without DRS.
_base_ = './toy_cls.py'
model = dict(
    backbone=dict(
        _delete_=True,
        type='VGG16D1',
        width={{_base_.width}},
        init_cfg=dict(
            type='Pretrained', checkpoint={{_base_.pretrained}},
            prefix='backbone.')),
    cam_head=dict(drs_cfg=None))
work_dir = 'work_dirs/toy/no-drs'
