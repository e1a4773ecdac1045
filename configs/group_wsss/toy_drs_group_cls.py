# DRS + Group-WSSS on the toy VOC: toy_group_cls.py with the toy DRS
# classifier's DRS (fixed delta 0.7 in the 3 head convs, as
# configs/drs/toy/toy_cls.py).
_base_ = './toy_group_cls.py'
model = dict(cam_head=dict(drs_cfg=dict(_delete_=True, delta=0.7)))
work_dir = 'work_dirs/toy/drs-group'
