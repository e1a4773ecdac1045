# The DRS classifier recipe: SGD (Nesterov, momentum 0.9, wd 5e-4), lr 1e-3
# with 1x/2x/10x/20x groups (pretrained weights/biases, new weights/biases),
# 15 epochs, lr x0.1 at epochs 5 and 10. The checkpoint with the best CAM mIoU
# on the validation split is kept (the paper selects by pixel-GT mIoU too).
optim_wrapper = dict(
    type='OptimWrapper',
    constructor='BiasLrMultOptimWrapperConstructor',
    optimizer=dict(
        type='SGD', lr=1e-3, momentum=0.9, nesterov=True, weight_decay=5e-4),
    paramwise_cfg=dict(
        bias_lr_mult=2.0,
        custom_keys={
            'cam_head': dict(lr_mult=10.0, bias_lr_mult=2.0),
            'suppression_controller': dict(lr_mult=10.0),
        }))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[5, 10], gamma=0.1)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=15, val_interval=1)
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
        max_keep_ckpts=3,
        save_best='cam/mIoU',
        rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
