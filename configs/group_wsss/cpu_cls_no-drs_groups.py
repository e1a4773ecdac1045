# The plain-CAM classifier of the real-photograph recipe
# (configs/drs/cpu/cpu_cls_no-drs.py) on Group-WSSS's batches - 5 groups of
# 3 photos with identical labels (LabelGroupSampler, images per epoch as
# ungrouped training) - with the backbone's batch-norm statistics frozen
# (the ImageNet ones), as cpu_group_cls.py: the reference that differs from
# Group-WSSS by the graph alone (configs/group_wsss/README.md).
_base_ = [
    '../drs/cpu/cpu_cls_no-drs.py', '../_base_/models/group_graph_neck.py'
]
model = dict(backbone=dict(backbone=dict(norm_eval=True)))
train_dataloader = {{_base_.group_batches}}  # 5 groups of 3 a batch
work_dir = 'work_dirs/cpu/no-drs-groups'
