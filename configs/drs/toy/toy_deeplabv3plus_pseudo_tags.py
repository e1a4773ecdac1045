# The toy DeepLab-V3+ pseudo-label config trained as WSSSEncoderDecoder, with
# each image's tags in its data sample, for extra losses that need them (OCR,
# self-training: they set `model.extra_losses`). The tags come from the whole
# mask before any crop (LoadAnnotations -> LoadImageLabels, then
# LoadPseudoLabels replaces the mask with the pseudo labels).
_base_ = ['./toy_deeplabv3plus_pseudo.py']
model = dict(type='WSSSEncoderDecoder', extra_losses=[])
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
