# PASCAL VOC 2012 + SBD (train_aug, 10,582 images) with image-level labels
# derived from the masks; validation = CAM mIoU on the 1,464-image `train`
# split against SegmentationClassAug (the WSSS convention), with the DRS
# authors' saliency protocol (VOC2012/SaliencyMaps/<id>.png, the paper's
# PoolNet maps; the checkpoint is selected by it). Layout as made by mmseg's
# tools/dataset_converters/voc_aug.py. Without saliency maps: set the
# CAMIoUMetric's saliency_dir=None and save_best='cam/mIoU'.
dataset_type = 'VOCImageLabelDataset'
data_root = 'data/VOCdevkit/VOC2012'
img_scale = (384, 384)
crop_size = (320, 320)
test_scale = (320, 320)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='LoadImageLabels'),
    dict(type='Resize', scale=img_scale, keep_ratio=False),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RandomColorJitter', brightness=0.3, contrast=0.3,
         saturation=0.3, hue=0.1),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='PackImageLabelInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=test_scale, keep_ratio=False),
    dict(type='LoadAnnotations'),
    dict(type='LoadImageLabels'),
    dict(type='PackImageLabelInputs'),
]
dataset_train = dict(
    type=dataset_type,
    data_root=data_root,
    data_prefix=dict(
        img_path='JPEGImages', seg_map_path='SegmentationClassAug'),
    ann_file='ImageSets/Segmentation/train.txt',
    pipeline=train_pipeline)
dataset_aug = dict(dataset_train, ann_file='ImageSets/Segmentation/aug.txt')
train_dataloader = dict(
    batch_size=5,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='ConcatDataset', datasets=[dataset_train, dataset_aug]))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(
            img_path='JPEGImages', seg_map_path='SegmentationClassAug'),
        ann_file='ImageSets/Segmentation/train.txt',
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='IoUMetric', iou_metrics=['mIoU']),
    dict(type='CAMIoUMetric', saliency_dir='SaliencyMaps'),
    dict(type='MultiLabelMAP'),
]
test_evaluator = val_evaluator
