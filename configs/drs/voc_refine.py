# Refinement learning (drs.md §5): regress the DRS classifier's maps of the
# train_aug images, 320x320 input, colour jitter, flip shared with the
# targets; Adam 1e-4, 30 epochs. The targets are the authors': the
# classifier's maps at 320x320, floor-quantised (tools/generate_maps.py
# configs/drs/voc_cls.py CKPT --split trainaug --out-size 320 320
# --quantize floor); maps stored at another size are resized to 320x320
# (bilinear). Validation every epoch: refined-map mIoU on the 1,464 train
# images under the saliency protocol (raw maps, as the authors; the
# threshold sweep normalises each image's maps for its own report). Refined
# maps for pseudo labels then come from tools/generate_maps.py with this
# config and its checkpoint.
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
