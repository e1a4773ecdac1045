# Toy DRS classifier with the fixed delta = 0.55.
_base_ = ['./toy_cls.py']
drs_cfg = dict(delta=0.55)
model = dict(
    backbone=dict(drs_cfg=drs_cfg), cam_head=dict(drs_cfg=drs_cfg))
work_dir = 'work_dirs/toy/drs-fixed0.55'
