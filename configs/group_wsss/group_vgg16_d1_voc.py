# Group-WSSS (Li et al., AAAI 2021), the authors' recipe (Lixy1997/
# Group-WSSS@fc9ab8e; shared/reference/wsss_methods.md §3) on VOC12
# train_aug: ImageNet VGG-16 D1 (output stride 8) without DRS, 3 extra convs
# + 1x1 classifier, the co-attention graph on the 20 class maps (3 rounds,
# graph dropout 0.8 / 0.7), groups of 3 images with identical labels,
# 1 group per step, images squashed to 256x256 with colour jitter (no crop,
# no flip), SGD Nesterov lr 1e-3 (1x/2x/10x/20x), 15 epochs, x0.1 at the
# start of (0-based) epochs 5 and 10. Maps: accumulated online during
# training (OnlineMapAccumulationHook) and, for any image, single-image
# inference through tools/generate_maps.py (GroupCAMClassifier test_cfg).
#   bash tools/dist_train.sh configs/group_wsss/group_vgg16_d1_voc.py 1
_base_ = '../drs/voc_cls.py'
group_size = 3
img_size = (256, 256)
model = dict(
    type='GroupCAMClassifier',
    data_preprocessor=dict(size=img_size),
    backbone=dict(drs_cfg=None),
    # every new conv N(0, 0.01)
    cam_head=dict(
        drs_cfg=None,
        init_cfg=dict(type='Normal', layer='Conv2d', std=0.01)),
    neck=dict(
        type='GroupGraphNeck',
        group_size=group_size,
        num_rounds=3,
        aggregation='concat',
        graph_dropout=dict(
            type='GraphDropout', drop_rate=0.8, drop_threshold=0.7)),
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
    batch_size=group_size,  # 1 group per GPU (the authors' batch)
    # the authors iterate the anchors in list order (shuffle=False)
    sampler=dict(
        _delete_=True,
        type='LabelGroupSampler',
        group_size=group_size,
        shuffle=False),
    collate_fn=dict(type='group_collate', group_size=group_size),
    dataset=dict(datasets=[
        dataset_train,
        dict(dataset_train, ann_file='ImageSets/Segmentation/aug.txt')
    ]))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
optim_wrapper = dict(
    paramwise_cfg=dict(
        custom_keys={'neck': dict(lr_mult=10.0, bias_lr_mult=2.0)}))
# the authors' reduce_lr: x0.1 when the 0-based epoch counter reaches 5, 10
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[5, 10], gamma=0.1)
]
# 1 group (3 images) per optimisation step
auto_scale_lr = dict(enable=True, base_batch_size=group_size)
custom_hooks = [
    dict(
        type='OnlineMapAccumulationHook',
        start_epoch=1,
        prob_threshold=0.1,
        members='anchor')
]
# single-scale maps at the training size
map_cfg = dict(scales=(256, ), flip=False, out_size=None)
