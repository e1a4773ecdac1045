# Group-WSSS's co-attention graph (Li et al., AAAI 2021;
# configs/group_wsss/README.md) on a classifier's class maps, the authors'
# settings: groups of 3 images, 3 rounds, concatenated messages, graph
# dropout 0.8 / 0.7. Variables only: a GroupCAMClassifier config sets
# `model={{_base_.group_model}}` (the graph on the class maps, the authors'
# loss weights, single images as groups of copies of themselves at test
# time; merged into its base's model), its train loader
# `train_dataloader={{_base_.group_batches}}` (5 whole groups a batch, images
# per epoch as ungrouped training: LabelGroupSampler and group_collate with
# the graph's group_size; the classifier checks the batches it gets) and its
# `optim_wrapper={{_base_.group_optim}}` (the graph's new parameters at the
# head's 10x / 20x lr).
group_size = 3
group_neck = dict(
    type='GroupGraphNeck',
    group_size=group_size,
    num_rounds=3,
    aggregation='concat',
    graph_dropout=dict(type='GraphDropout', drop_rate=0.8,
                       drop_threshold=0.7))
group_model = dict(
    type='GroupCAMClassifier',
    neck=group_neck,
    pre_graph_weight=0.4,
    post_graph_weight=1.0,
    test_cfg=dict(graph='self'))
group_batches = dict(
    batch_size=5 * group_size,
    sampler=dict(
        type='LabelGroupSampler',
        group_size=group_size,
        shuffle=True,
        anchor_ratio=1 / group_size),
    collate_fn=dict(type='group_collate', group_size=group_size))
group_optim = dict(
    paramwise_cfg=dict(
        custom_keys={'neck': dict(lr_mult=10.0, bias_lr_mult=2.0)}))
