# The DRS classifier recipe: SGD (Nesterov, momentum 0.9, wd 5e-4), lr 1e-3
# with 1x/2x/10x/20x groups (pretrained weights/biases, new weights/biases),
# 15 epochs, 10 images per step. The authors' reduce_lr divides the lr by 10
# at the start of (1-based) epochs 5 and 10: 4 / 5 / 6 epochs per lr, i.e.
# milestones after epochs 4 and 9. Like the authors, every epoch is
# validated on the 1,464 `train` images and the epoch with the best
# saliency-protocol mIoU is kept (pixel GT is used for this selection).
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
    dict(type='MultiStepLR', by_epoch=True, milestones=[4, 9], gamma=0.1)
]
# the authors' total batch: 5 images per GPU on 2 GPUs. tools/train.py keeps
# it for any number of processes (mmdrs/utils/total_batch.py): 1 process
# accumulates 2 steps of 5, 2 processes match it, 4 processes (20 images)
# scale the lr linearly (x2).
auto_scale_lr = dict(enable=True, base_batch_size=10)
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
        save_best='cam/sal_mIoU',
        rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
