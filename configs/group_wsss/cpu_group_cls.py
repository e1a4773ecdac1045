# Group-WSSS on real photographs: the plain-CAM classifier of the
# real-photograph recipe (configs/drs/cpu/cpu_cls_no-drs.py) trained through
# the co-attention graph on batches of 5 groups of 3 photos with identical
# labels, at that recipe's budget (images per epoch as ungrouped training).
# The authors train VGG-16 without batch norm; on this BN backbone the
# batch-norm statistics stay the ImageNet ones (norm_eval), so a batch of
# look-alike photos cannot shift them (the toy's loss came from that).
_base_ = ['./cpu_cls_no-drs_groups.py']
# the graph on the class maps (its channels follow the head's num_classes);
# single-image maps: each image as a group of copies of itself, (h + x) / 2
model = {{_base_.group_model}}
optim_wrapper = {{_base_.group_optim}}  # the graph at the head's lr
work_dir = 'work_dirs/cpu/group'
