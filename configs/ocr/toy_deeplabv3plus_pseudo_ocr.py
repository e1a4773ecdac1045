# OCR on the toy DeepLab-V3+ pseudo-label config: the same model and
# schedule, trained as WSSSEncoderDecoder with OutOfCandidateLoss added to
# the pseudo-label cross-entropy. The loss needs each image's tags, taken
# from its whole mask before any crop (LoadAnnotations -> LoadImageLabels,
# then LoadPseudoLabels replaces the mask with the pseudo labels).
_base_ = ['../drs/toy/toy_deeplabv3plus_pseudo.py']
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
    dict(type='RandomResize', scale=(128, 128), ratio_range=(0.75, 1.5),
         keep_ratio=True),
    dict(type='RandomCrop', crop_size={{_base_.crop_size}},
         cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackImageLabelInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
work_dir = 'work_dirs/toy/deeplabv3plus_ocr'
