# Toy plain-CAM baseline: same backbone weights, head and budget as
# toy_cls.py, without DRS.
_base_ = './toy_cls.py'
model = dict(backbone=dict(drs_cfg=None), cam_head=dict(drs_cfg=None))
work_dir = 'work_dirs/toy/no-drs'
