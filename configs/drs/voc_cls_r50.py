# DRS on mmseg's ResNetV1c-50 (output stride 8). DRS replaces the ReLU after
# each bottleneck's residual add (call 2 of its shared `relu`); see
# DRSBackbone's docstring for the other placements.
_base_ = './voc_cls.py'
model = dict(
    backbone=dict(
        backbone=dict(
            _delete_=True,
            type='ResNetV1c',
            depth=50,
            num_stages=4,
            out_indices=(3, ),
            dilations=(1, 1, 2, 4),
            strides=(1, 2, 1, 1),
            norm_cfg=dict(type='SyncBN', requires_grad=True),
            norm_eval=False,
            contract_dilation=True,
            init_cfg=dict(
                type='Pretrained', checkpoint='open-mmlab://resnet50_v1c')),
        targets=['layer*.relu'],
        call_indices=[-1]),
    cam_head=dict(in_channels=2048))
