# Plain-CAM baseline: the same classifier and recipe without DRS.
_base_ = './voc_cls.py'
model = dict(backbone=dict(drs_cfg=None), cam_head=dict(drs_cfg=None))
