# Real photographs (data/voc_mini): plain CAM vs DRS maps of the cpu
# profile's classifiers, one lever at a time, 3 seeds each; chosen on
# `train` (the maps are scored on the train masks, never on val).
#   python tools/analysis/sweep.py configs/studies/photo_cams.py \
#       [--variants base ...] [--seeds 0 1 2]
# Results: configs/drs/README.md ("Real photographs at CPU scale").
profile = 'cpu'
data_root = None  # the profile's: data/voc_mini
stages = ['check', 'no-drs', 'drs', 'maps-no-drs', 'maps-drs']
seeds = [0, 1, 2]
metrics = [
    'no-drs.cam/mIoU', 'drs.cam/mIoU', 'maps-no-drs.cam/mIoU',
    'maps-no-drs.cam/best_threshold', 'maps-drs.cam/mIoU',
    'maps-drs.cam/best_threshold', 'no-drs.seconds', 'drs.seconds'
]
variants = dict(
    # the cpu profile as it stands
    base=dict(),
    # DRS (fixed delta 0.7) in the last two backbone stages instead of the
    # head convs
    drs_backbone=dict(overrides={
        'drs': dict(config='configs/drs/cpu/cpu_cls_drs-backbone.py')
    }),
    # DRS at the paper's learnable delta in the head
    drs_learnable=dict(overrides={
        'drs': dict(options=['model.cam_head.drs_cfg.delta=learnable'])
    }),
    # CAM on the 1280-channel ImageNet head-conv features, 1x1 classifier
    # (DRS: in place of that conv's ReLU6)
    feat1280=dict(overrides={
        'no-drs': dict(config='configs/drs/cpu/cpu_cls_no-drs_feat1280.py'),
        'drs': dict(config='configs/drs/cpu/cpu_cls_feat1280.py')
    }),
    # stem + first 3 stages frozen (BN in eval mode): a cheaper step
    frozen3=dict(overrides={
        s: dict(options=['model.backbone.backbone.frozen_stages=3'])
        for s in ('no-drs', 'drs')
    }),
    # a longer schedule
    e12=dict(variables=dict(epochs=12)),
)
