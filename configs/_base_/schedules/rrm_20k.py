# The RRM authors' recipe A (train_from_cls_weight.py): SGD lr 7e-4 poly 0.9
# over 20k iterations, momentum 0 (their optimizer passes the weight decay
# into SGD's momentum slot), weight decay 1e-5 (none on biases), lr 1x/2x/
# 10x/20x for pretrained weights/biases and new weights/biases; one
# validation at the end. Iteration-based configs also set
# `log_processor = dict(by_epoch=False)` (default_runtime.py logs by epoch).
optim_wrapper = dict(
    type='OptimWrapper',
    constructor='BiasLrMultOptimWrapperConstructor',
    optimizer=dict(type='SGD', lr=7e-4, momentum=0, weight_decay=1e-5),
    paramwise_cfg=dict(
        bias_lr_mult=2.0,
        bias_decay_mult=0.0,
        custom_keys={
            'cam_head': dict(lr_mult=10.0, bias_lr_mult=2.0),
            'decode_head': dict(lr_mult=10.0, bias_lr_mult=2.0,
                                bias_decay_mult=0.0),
        }))
max_iters = 20000
param_scheduler = [
    dict(type='PolyLR', eta_min=0, power=0.9, begin=0, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=2000,
                    max_keep_ckpts=2),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook', draw=False))
