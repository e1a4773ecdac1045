# Real PASCAL VOC photographs at CPU scale: the embedded voc_mini set
# (data/voc_mini, 483 train / 238 val photos, long side 256 px; its README
# has provenance and licence) or any VOC-layout folder (lists train / val /
# trainaug - or mmseg's train + aug -, SegmentationClassAug, classes.txt).
# The classifier trains on `trainaug` (one dataset: a folder's trainaug.txt,
# else train.txt + aug.txt) and is validated on `train` (CAM mIoU, the WSSS
# convention). No saliency maps: checkpoints are chosen by the threshold
# sweep (cam/mIoU).
_base_ = ['./voc12aug_image_labels.py']
data_root = 'data/voc_mini'
img_scale = (256, 256)
crop_size = (224, 224)
test_scale = (224, 224)
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
# no dataloader workers: on 2 cores they compete with the model
train_dataloader = dict(
    batch_size=16,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        _delete_=True,
        type={{_base_.dataset_type}},
        data_root=data_root,
        data_prefix=dict(
            img_path='JPEGImages', seg_map_path='SegmentationClassAug'),
        ann_file='ImageSets/Segmentation/trainaug.txt',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='IoUMetric', iou_metrics=['mIoU']),
    dict(type='CAMIoUMetric', saliency_dir=None),
    dict(type='MultiLabelMAP'),
]
test_evaluator = val_evaluator
