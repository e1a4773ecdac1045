# Refinement learning on real photographs at CPU scale (the `cpu` pipeline
# profile): the toy recipe (paper's MapRefiner, lr 1e-4, EfficientNet-Lite0's
# first 4 stages at output stride 8: 28x28 maps at 224 px, finer than the
# classifier's 20x20 at 320 px) on the embedded voc_mini photos at 224 px.
_base_ = ['../toy/toy_refine.py']
data_root = 'data/voc_mini'
maps_dir = 'work_dirs/cpu/maps/drs'  # as tools/run_pipeline.py writes
size = (224, 224)
model = dict(data_preprocessor=dict(size=size))
map_cfg = dict(scales=(180, 224, 268))
refine_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=size, keep_ratio=False),
    dict(type='LoadCAMTargets', maps_dir=maps_dir, resize_to_image=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RandomColorJitter', brightness=0.3, contrast=0.3,
         saturation=0.3, hue=0.1),
    dict(type='PackImageLabelInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=size, keep_ratio=False),
    dict(type='LoadAnnotations'),
    dict(type='LoadImageLabels'),
    dict(type='PackImageLabelInputs'),
]
train_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        pipeline=refine_pipeline))
val_dataloader = dict(
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='IoUMetric', iou_metrics=['mIoU']),
    dict(type='CAMIoUMetric', saliency_dir=None, normalize=True),
]
test_evaluator = val_evaluator
default_hooks = dict(checkpoint=dict(save_best='cam/mIoU'))
work_dir = 'work_dirs/cpu/refine'
# channels-last (NHWC) convolutions (ChannelsLastHook): the same training up
# to float rounding; a step of the full-depth refiner (cpu_refine_full.py)
# takes 0.763 ± 0.071 of the NCHW time on one thread of an AVX-512 CPU
# (`tools/benchmarks/train_step.py layout`); it trains channels-last on
# AVX-512 CPUs only (the hook's `train_cpus`; on AVX2 the classifier's and
# DeepLab's steps take 1.14 / 1.29 of the NCHW time)
custom_hooks = [dict(type='ChannelsLastHook')]
