# Group-WSSS on the toy VOC: the plain toy classifier (toy_cls_no-drs.py)
# trained through the co-attention graph on groups of 3 images with identical
# labels, at the plain toy runs' budget (configs/group_wsss/README.md).
_base_ = [
    '../drs/toy/toy_cls_no-drs.py', '../_base_/models/group_graph_neck.py'
]
# the graph on the class maps (its channels follow the head's num_classes);
# single-image maps: each image as a group of copies of itself, (h + x) / 2
model = {{_base_.group_model}}
train_dataloader = {{_base_.group_batches}}  # 5 groups of 3 a batch
optim_wrapper = {{_base_.group_optim}}  # the graph at the head's lr
work_dir = 'work_dirs/toy/group'
