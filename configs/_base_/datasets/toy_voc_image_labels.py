# The embedded toy VOC (tools/make_toy_voc.py -> data/toy_voc): same layout
# and pipeline as VOC12 train_aug, at toy image sizes.
_base_ = ['./voc12aug_image_labels.py']
data_root = 'data/toy_voc'
img_scale = (128, 128)
crop_size = (112, 112)
test_scale = (112, 112)
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
    type={{_base_.dataset_type}},
    data_root=data_root,
    data_prefix=dict(
        img_path='JPEGImages', seg_map_path='SegmentationClassAug'),
    ann_file='ImageSets/Segmentation/train.txt',
    pipeline=train_pipeline)
dataset_aug = dict(dataset_train, ann_file='ImageSets/Segmentation/aug.txt')
# no dataloader workers: on the 2-core machines the toy is meant for, the
# workers compete with the model for the cores (one training epoch + val of
# toy_cls_no-drs.py: 35.6 s without workers, 40.3 s with two)
train_dataloader = dict(
    batch_size=16,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(datasets=[dataset_train, dataset_aug]))
val_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
# the toy data ships imperfect saliency maps: also report the DRS code's
# saliency protocol (sal_mIoU)
val_evaluator = [
    dict(type='IoUMetric', iou_metrics=['mIoU']),
    dict(type='CAMIoUMetric', saliency_dir='SaliencyMaps'),
    dict(type='MultiLabelMAP'),
]
test_evaluator = val_evaluator
