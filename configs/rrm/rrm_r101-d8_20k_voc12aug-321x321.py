# RRM one-step segmentation on VOC 2012 train_aug, the authors' recipe A with
# mmseg's ImageNet ResNetV1c-101 in place of their ResNet-38 (what differs:
# configs/rrm/README.md). Evaluated on val by mmseg's IoUMetric.
_base_ = [
    '../_base_/models/rrm_r101-d8.py',
    '../_base_/datasets/voc12aug_image_labels.py',
    '../_base_/schedules/rrm_20k.py', '../_base_/default_runtime.py'
]
crop_size = (321, 321)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),  # image tags from the masks (not used
    dict(type='LoadImageLabels'),  # as pixel labels)
    dict(type='RandomResize', scale=(500, 500), ratio_range=(0.7, 1.3),
         keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='PackImageLabelInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
rrm_train = dict(
    type='VOCImageLabelDataset',
    data_root='data/VOCdevkit/VOC2012',
    data_prefix=dict(
        img_path='JPEGImages', seg_map_path='SegmentationClassAug'),
    ann_file='ImageSets/Segmentation/train.txt',
    pipeline=train_pipeline)
train_dataloader = dict(
    batch_size=4,
    dataset=dict(datasets=[
        rrm_train,
        dict(rrm_train, ann_file='ImageSets/Segmentation/aug.txt')
    ]))
val_dataloader = dict(
    batch_size=1,
    dataset=dict(ann_file='ImageSets/Segmentation/val.txt',
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = [dict(type='IoUMetric', iou_metrics=['mIoU'])]
test_evaluator = val_evaluator
log_processor = dict(by_epoch=False)
work_dir = 'work_dirs/rrm_voc'
