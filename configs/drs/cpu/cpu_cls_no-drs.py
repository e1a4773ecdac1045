# Plain-CAM baseline of cpu_cls.py: same backbone weights, head and budget,
# no DRS.
_base_ = './cpu_cls.py'
model = dict(backbone=dict(drs_cfg=None), cam_head=dict(drs_cfg=None))
work_dir = 'work_dirs/cpu/no-drs'
