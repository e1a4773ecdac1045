# Group-WSSS on the toy VOC: the plain toy classifier (toy_cls_no-drs.py)
# trained through the co-attention graph on groups of 3 images with identical
# labels, at the plain toy runs' budget (configs/group_wsss/README.md).
_base_ = [
    '../drs/toy/toy_cls_no-drs.py', '../_base_/models/group_graph_neck.py'
]
group_size = 3  # the neck's (group_graph_neck.py), for the batch arithmetic
model = dict(
    type='GroupCAMClassifier',
    # the graph runs on the class maps; its channels follow the head's
    # num_classes
    neck={{_base_.group_neck}},
    pre_graph_weight=0.4,
    post_graph_weight=1.0,
    # single-image maps: each image as a group of copies of itself,
    # maps (h + x) / 2 (see GroupCAMClassifier)
    test_cfg=dict(graph='self'))
train_dataloader = dict(
    batch_size=5 * group_size,
    sampler=dict(
        type='LabelGroupSampler',
        group_size=group_size,
        shuffle=True,
        anchor_ratio=1 / group_size),
    collate_fn=dict(type='group_collate', group_size=group_size))
# the graph's parameters are new: the head's 10x / 20x lr
optim_wrapper = dict(
    paramwise_cfg=dict(
        custom_keys={'neck': dict(lr_mult=10.0, bias_lr_mult=2.0)}))
work_dir = 'work_dirs/toy/group'
