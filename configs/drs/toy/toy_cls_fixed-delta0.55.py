# Toy DRS classifier with the fixed delta = 0.55.
_base_ = './toy_cls.py'
model = dict(
    backbone=dict(drs_cfg=dict(delta=0.55)),
    cam_head=dict(drs_cfg=dict(delta=0.55)))
work_dir = 'work_dirs/toy/drs-fixed0.55'
