# Plain CAM as in the CAM paper: a 1x1 classifier straight on the features
# ImageNet's classifier pools (EfficientNet-Lite0's 1x1 head conv, 1280
# channels after ReLU6) instead of 3 new 3x3 convs on the 320-channel stage
# output.
_base_ = './cpu_cls_no-drs.py'
model = dict(
    backbone=dict(backbone=dict(out_indices=(7, ))),
    cam_head=dict(in_channels=1280, num_convs=0))
work_dir = 'work_dirs/cpu/no-drs_feat1280'
