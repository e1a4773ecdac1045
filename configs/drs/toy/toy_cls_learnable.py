# Toy DRS classifier with the paper's learnable delta (same placement and
# budget as toy_cls.py).
_base_ = './toy_cls.py'
model = dict(cam_head=dict(drs_cfg=dict(delta='learnable')))
work_dir = 'work_dirs/toy/drs-learnable'
