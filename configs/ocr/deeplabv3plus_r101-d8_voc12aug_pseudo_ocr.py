# OCR on mmseg's DeepLab-V3+ VOC recipe trained on DRS pseudo labels: the
# model becomes a WSSSEncoderDecoder with OutOfCandidateLoss beside the
# cross-entropy; the image tags are the VOC XML labels of the whole image.
_base_ = ['../drs/deeplabv3plus_r101-d8_voc12aug_pseudo.py']
model = dict(
    type='WSSSEncoderDecoder',
    extra_losses=[dict(type='OutOfCandidateLoss', loss_weight=1.0)])
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadPseudoLabels', pseudo_dir={{_base_.pseudo_label_dir}}),
    dict(type='LoadImageLabels'),  # from the XML: the whole image's tags
    dict(type='RandomResize', scale=(2048, 512), ratio_range=(0.5, 2.0),
         keep_ratio=True),
    dict(type='RandomCrop', crop_size={{_base_.crop_size}},
         cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='Pad', size={{_base_.crop_size}}),
    dict(type='PackImageLabelInputs')
]
train_dataloader = dict(
    dataset=dict(
        type='VOCImageLabelDataset', label_source='xml',
        pipeline=train_pipeline))
val_evaluator = [
    dict(type='IoUMetric', iou_metrics=['mIoU']),
    dict(type='OutOfCandidateRate')
]
test_evaluator = val_evaluator
