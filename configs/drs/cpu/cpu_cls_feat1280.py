# DRS counterpart of cpu_cls_no-drs_feat1280.py: the same 1x1 classifier on
# the 1280-channel head-conv features, with fixed delta 0.7 DRS in place of
# that conv's ReLU6 (the top-level `_swish`, whose last call is the head
# conv's; its first is the stem's) - the last activation before the
# classifier, where cpu_cls.py has its head-conv DRS.
_base_ = './cpu_cls.py'
model = dict(
    backbone=dict(
        backbone=dict(out_indices=(7, )),
        drs_cfg=dict(_delete_=True, delta=0.7),
        targets=['_swish'],
        call_indices=[-1]),
    cam_head=dict(in_channels=1280, num_convs=0, drs_cfg=None))
work_dir = 'work_dirs/cpu/drs_feat1280'
