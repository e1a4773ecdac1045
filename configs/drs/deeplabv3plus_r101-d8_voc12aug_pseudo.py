# DeepLab-V3+ ResNet-101 trained on DRS pseudo labels: mmseg's own VOC12 aug
# config with only the training labels replaced - the train_aug images read
# <pseudo_label_dir>/<id>.png (tools/make_pseudo_labels.py) instead of the
# masks; evaluation stays on the real VOC val masks with mmseg's IoUMetric.
# Note: mmseg's config runs at output stride 8; the paper's DeepLab-V3+
# uses 16 (set model.backbone dilations=(1, 1, 1, 2), strides=(1, 2, 2, 1)).
_base_ = [
    'mmseg::deeplabv3plus/deeplabv3plus_r101-d8_4xb4-40k_voc12aug-512x512.py'
]
custom_imports = dict(imports=['mmdrs'], allow_failed_imports=False)
pseudo_label_dir = 'work_dirs/drs_voc/pseudo_labels'
data_root = 'data/VOCdevkit/VOC2012'
crop_size = (512, 512)
# mmseg's VOC12 aug train pipeline with LoadAnnotations -> LoadPseudoLabels
pseudo_train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadPseudoLabels', pseudo_dir=pseudo_label_dir),
    dict(
        type='RandomResize',
        scale=(2048, 512),
        ratio_range=(0.5, 2.0),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='Pad', size=crop_size),
    dict(type='PackSegInputs')
]
pseudo_dataset = dict(
    type='PascalVOCDataset',
    data_root=data_root,
    data_prefix=dict(
        img_path='JPEGImages', seg_map_path='SegmentationClassAug'),
    ann_file='ImageSets/Segmentation/trainaug.txt',
    pipeline=pseudo_train_pipeline)
train_dataloader = dict(dataset=dict(_delete_=True, **pseudo_dataset))
