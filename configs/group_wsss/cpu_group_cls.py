# Group-WSSS on real photographs: the plain-CAM classifier of the
# real-photograph recipe (configs/drs/cpu/cpu_cls_no-drs.py) trained through
# the co-attention graph on batches of 5 groups of 3 photos with identical
# labels, at that recipe's budget (images per epoch as ungrouped training).
# The authors train VGG-16 without batch norm; on this BN backbone the
# batch-norm statistics stay the ImageNet ones (norm_eval), so a batch of
# look-alike photos cannot shift them (the toy's loss came from that).
_base_ = ['./cpu_cls_no-drs_groups.py']
model = dict(
    type='GroupCAMClassifier',
    neck={{_base_.group_neck}},
    pre_graph_weight=0.4,
    post_graph_weight=1.0,
    test_cfg=dict(graph='self'))
optim_wrapper = {{_base_.group_optim}}  # the graph at the head's lr
work_dir = 'work_dirs/cpu/group'
