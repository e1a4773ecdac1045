# The real-photograph DeepLab-V3+ (cpu_deeplabv3plus_pseudo.py) trained as
# WSSSEncoderDecoder, with each photo's image-level tags in its data sample,
# for extra losses that need them or the image (self-training, OCR, the
# dense CRF loss: they set `model.extra_losses`). The tags come from each
# photo's whole mask, before any crop (LoadAnnotations -> LoadImageLabels;
# LoadPseudoLabels then replaces the mask with the pseudo labels).
_base_ = ['./cpu_deeplabv3plus_pseudo.py']
model = dict(type='WSSSEncoderDecoder', extra_losses=[])
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='LoadImageLabels'),  # whole-image tags
    dict(type='LoadPseudoLabels', pseudo_dir={{_base_.pseudo_label_dir}}),
    dict(type='RandomResize', scale=(256, 256), ratio_range=(0.5, 2.0),
         keep_ratio=True),
    dict(type='RandomCrop', crop_size={{_base_.crop_size}},
         cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackImageLabelInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
