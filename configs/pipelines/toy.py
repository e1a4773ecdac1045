# The demo (`make demo`): the CPU profile on the embedded toy VOC
# (data/toy_voc, generated; 8 classes, 112 px), plus the paper's learnable-
# delta DRS classifier for comparison.
_base_ = ['./cpu.py']
work_dir = 'work_dirs/toy'
data_root = 'data/toy_voc'
variables = dict(toy_size=(120, 60, 240))
data = dict(type='ToyData', name='data')
drs_learnable = dict(
    type='TrainClassifier',
    name='drs-learnable',
    config='configs/drs/toy/toy_cls_learnable.py',
    what='DRS classifier (head, learnable delta)')
stages = [
    data, {{_base_.check}}, {{_base_.no_drs}}, {{_base_.drs}}, drs_learnable,
    {{_base_.maps_no_drs}}, {{_base_.maps_drs}}, {{_base_.refine}},
    {{_base_.refined_maps}}, {{_base_.pseudo_labels}},
    {{_base_.segmentation}}, {{_base_.report}}
]
