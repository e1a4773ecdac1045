# The DRS refinement recipe: Adam, lr 1e-4, no weight decay, 30 epochs,
# 10 images per step. The authors' reduce_lr fires at the start of (1-based)
# epochs 10 and 20: 9 / 10 / 11 epochs per lr. Every epoch is validated
# (refined-map mIoU under the saliency protocol, as the authors) and the
# best epoch kept.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='Adam', lr=1e-4, weight_decay=0))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[9, 19], gamma=0.1)
]
# 5 images per GPU on 2 GPUs (see drs_cls_15e.py)
auto_scale_lr = dict(enable=True, base_batch_size=10)
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=30, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=True),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='CheckpointHook',
        by_epoch=True,
        interval=1,
        max_keep_ckpts=2,
        save_best='cam/sal_mIoU',
        rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
