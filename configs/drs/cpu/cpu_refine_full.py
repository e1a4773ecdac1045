# Refinement learning on real photographs with the classifiers' network: the
# full-depth ImageNet EfficientNet-Lite0 at output stride 16 (stem and first
# 3 stages frozen; 14x14 maps at 224 px) instead of the 4-stage truncation at
# output stride 8 (cpu_refine.py) - the pipeline can start it from the DRS
# classifier's trained backbone (TrainRefiner(init_backbone='drs')).
_base_ = [
    './cpu_refine.py', '../../_base_/models/efficientnet_lite0_os16.py'
]
model = dict(
    backbone={{_base_.lite0_full_backbone}},
    refine_head=dict(in_channels=320))
work_dir = 'work_dirs/cpu/refine_full'
