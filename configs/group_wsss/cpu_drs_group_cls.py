# DRS + Group-WSSS on real photographs: cpu_group_cls.py with the
# real-photograph DRS classifier's DRS (fixed delta 0.7 in the 3 head convs,
# as configs/drs/cpu/cpu_cls.py).
_base_ = './cpu_group_cls.py'
model = dict(cam_head=dict(drs_cfg=dict(_delete_=True, delta=0.7)))
work_dir = 'work_dirs/cpu/drs-group'
