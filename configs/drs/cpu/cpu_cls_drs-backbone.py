# cpu_cls.py with DRS (fixed delta 0.7) in the last two backbone stages
# (`targets` of the base: the ReLU6 of blocks 11-15) instead of the head
# convs - the paper puts DRS inside the backbone.
_base_ = './cpu_cls.py'
model = dict(
    backbone=dict(drs_cfg=dict(_delete_=True, delta=0.7)),
    cam_head=dict(drs_cfg=None))
work_dir = 'work_dirs/cpu/drs-backbone'
