# Toy DRS classifier (learnable delta): DRS inserted into the stage-0
# backbone, then fine-tuned - the paper's order. Same budget as the baseline.
_base_ = ['./toy_cls_no-drs.py']
drs_cfg = dict(delta='learnable')
model = dict(
    backbone=dict(
        _delete_=True,
        type='DRSBackbone',
        backbone={{_base_.backbone}},
        drs_cfg=drs_cfg,
        targets=['features.*']),
    cam_head=dict(drs_cfg=drs_cfg))
work_dir = 'work_dirs/toy/drs'
