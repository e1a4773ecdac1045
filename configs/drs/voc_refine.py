# Refinement learning (the paper's self-enhancement step), the paper's
# recipe: regress the DRS classifier's 320x320 maps of train_aug (their
# targets: configs/drs/README.md, docs/fidelity.md), colour jitter, flip
# shared with the targets; Adam 1e-4.
_base_ = [
    '../_base_/models/refine_vgg16_d1.py',
    '../_base_/datasets/voc12aug_image_labels.py',
    '../_base_/schedules/refine_30e.py', '../_base_/default_runtime.py'
]
maps_dir = 'work_dirs/drs_voc/maps_trainaug'
refine_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(320, 320), keep_ratio=False),
    dict(type='LoadCAMTargets', maps_dir=maps_dir, resize_to_image=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RandomColorJitter', brightness=0.3, contrast=0.3,
         saturation=0.3, hue=0.1),
    dict(type='PackImageLabelInputs'),
]
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='VOCImageLabelDataset',
        data_root={{_base_.data_root}},
        data_prefix=dict(
            img_path='JPEGImages', seg_map_path='SegmentationClassAug'),
        ann_file='ImageSets/Segmentation/trainaug.txt',
        pipeline=refine_pipeline))
val_evaluator = [
    dict(type='IoUMetric', iou_metrics=['mIoU']),
    dict(type='CAMIoUMetric', saliency_dir='SaliencyMaps', normalize=True),
]
test_evaluator = val_evaluator
