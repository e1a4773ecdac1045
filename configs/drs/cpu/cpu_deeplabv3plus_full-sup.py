# The fully supervised reference of cpu_deeplabv3plus_pseudo.py: the same
# recipe trained on the real masks of the same images (what the pseudo-label
# run is measured against: the paper's ratio is about 89 %).
_base_ = ['./cpu_deeplabv3plus_pseudo.py']
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomResize', scale=(256, 256), ratio_range=(0.5, 2.0),
         keep_ratio=True),
    dict(type='RandomCrop', crop_size={{_base_.crop_size}},
         cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
work_dir = 'work_dirs/cpu/deeplabv3plus_full-sup'
