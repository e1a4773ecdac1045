# The DRS authors' self-training term (their DeepLab-V2 train.py) on the
# toy DeepLab-V3+ pseudo-label config: cross-entropy on the pseudo labels
# plus cross-entropy on the network's own argmax over the image's classes.
# Tags come from each image's whole mask (before any crop).
_base_ = ['./toy_deeplabv3plus_pseudo.py']
model = dict(
    type='WSSSEncoderDecoder',
    extra_losses=[dict(type='SelfTrainingLoss', mask='multiply')])
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='LoadImageLabels'),  # whole-image tags
    dict(type='LoadPseudoLabels', pseudo_dir={{_base_.pseudo_label_dir}}),
    dict(type='RandomResize', scale=(128, 128), ratio_range=(0.75, 1.5),
         keep_ratio=True),
    dict(type='RandomCrop', crop_size={{_base_.crop_size}},
         cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackImageLabelInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
work_dir = 'work_dirs/toy/deeplabv3plus_selftrain'
