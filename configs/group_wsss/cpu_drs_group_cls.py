# DRS + Group-WSSS on real photographs: cpu_group_cls.py with the
# real-photograph DRS classifier's DRS as it was when these rows were
# measured (fixed delta 0.7 in the 3 head convs; configs/drs/cpu/cpu_cls.py
# has shipped the paper's learnable delta since).
_base_ = './cpu_group_cls.py'
model = dict(cam_head=dict(drs_cfg=dict(_delete_=True, delta=0.7)))
work_dir = 'work_dirs/cpu/drs-group'
