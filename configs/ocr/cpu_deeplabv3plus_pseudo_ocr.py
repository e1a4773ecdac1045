# OCR on the real-photograph DeepLab-V3+ (the `cpu` profile's segmentation
# config): the same model, data and schedule, trained as WSSSEncoderDecoder
# with OutOfCandidateLoss (at the logits' resolution, its default) beside the
# pseudo-label cross-entropy. The tags come from each photo's whole mask,
# before any crop (LoadAnnotations -> LoadImageLabels; LoadPseudoLabels then
# replaces the mask with the pseudo labels).
_base_ = ['../drs/cpu/cpu_deeplabv3plus_pseudo.py']
model = dict(
    type='WSSSEncoderDecoder',
    extra_losses=[
        dict(type='OutOfCandidateLoss', ic_mode='top1', oc_topk=1,
             margin=0.0, pixels='oc', loss_weight=1.0)
    ])
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
work_dir = 'work_dirs/cpu/deeplabv3plus_ocr'
