# Non-learnable DRS with the commonly used delta = 0.55 everywhere.
_base_ = './voc_cls.py'
model = dict(
    backbone=dict(drs_cfg=dict(delta=0.55)),
    cam_head=dict(drs_cfg=dict(delta=0.55)))
