# Group-WSSS's co-attention graph (Li et al., AAAI 2021;
# configs/group_wsss/README.md) on a classifier's class maps, the authors'
# settings: groups of 3 images, 3 rounds, concatenated messages, graph
# dropout 0.8 / 0.7. Variables only: a GroupCAMClassifier sets
# `neck={{_base_.group_neck}}`; its LabelGroupSampler and group_collate take
# the same group_size (the classifier checks the batches it gets).
group_size = 3
group_neck = dict(
    type='GroupGraphNeck',
    group_size=group_size,
    num_rounds=3,
    aggregation='concat',
    graph_dropout=dict(type='GraphDropout', drop_rate=0.8,
                       drop_threshold=0.7))
