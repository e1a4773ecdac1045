# Group-WSSS, the authors' recipe (configs/group_wsss/README.md) on VOC12
# train_aug: VGG-16 D1 without DRS, the co-attention graph on its class maps,
# 1 group of 3 images with identical labels per step, maps accumulated online.
_base_ = ['../drs/voc_cls.py', '../_base_/models/group_graph_neck.py']
img_size = (256, 256)
model = dict(
    type='GroupCAMClassifier',
    data_preprocessor=dict(size=img_size),
    backbone=dict(drs_cfg=None),
    # every new conv N(0, 0.01)
    cam_head=dict(
        drs_cfg=None,
        init_cfg=dict(type='Normal', layer='Conv2d', std=0.01)),
    neck={{_base_.group_neck}},
    pre_graph_weight=0.4,
    post_graph_weight=1.0,
    test_cfg=dict(graph='self'))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='LoadImageLabels'),
    dict(type='Resize', scale=img_size, keep_ratio=False),
    dict(type='RandomColorJitter', brightness=0.3, contrast=0.3,
         saturation=0.3, hue=0.1),
    dict(type='PackImageLabelInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=img_size, keep_ratio=False),
    dict(type='LoadAnnotations'),
    dict(type='LoadImageLabels'),
    dict(type='PackImageLabelInputs'),
]
dataset_train = dict(
    type='VOCImageLabelDataset',
    data_root={{_base_.data_root}},
    data_prefix=dict(
        img_path='JPEGImages', seg_map_path='SegmentationClassAug'),
    ann_file='ImageSets/Segmentation/train.txt',
    pipeline=train_pipeline)
train_dataloader = dict(
    batch_size={{_base_.group_size}},  # 1 group per GPU (the authors' batch)
    # the authors iterate the anchors in list order (shuffle=False)
    sampler=dict(
        _delete_=True,
        type='LabelGroupSampler',
        group_size={{_base_.group_size}},
        shuffle=False),
    collate_fn=dict(
        type='group_collate', group_size={{_base_.group_size}}),
    dataset=dict(datasets=[
        dataset_train,
        dict(dataset_train, ann_file='ImageSets/Segmentation/aug.txt')
    ]))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
optim_wrapper = {{_base_.group_optim}}  # the graph at the head's lr
# the authors' reduce_lr: x0.1 when the 0-based epoch counter reaches 5, 10
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[5, 10], gamma=0.1)
]
# 1 group (3 images) per optimisation step
auto_scale_lr = dict(enable=True, base_batch_size={{_base_.group_size}})
custom_hooks = [
    dict(
        type='OnlineMapAccumulationHook',
        start_epoch=1,
        prob_threshold=0.1,
        members='anchor')
]
# single-scale maps at the training size
map_cfg = dict(scales=(256, ), flip=False, out_size=None)
