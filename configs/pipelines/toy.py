# The toy run (the tests' fixture; `--profile toy`): the CPU profile's
# stages with the toy configs (configs/drs/toy/: the 4-stage backbone at
# 112 px, 6 epochs, saliency protocol) on the generated toy VOC
# (data/toy_voc; 8 classes), plus the paper's learnable-delta DRS
# classifier for comparison.
_base_ = ['./cpu.py']
work_dir = 'work_dirs/toy'
data_root = 'data/toy_voc'
variables = dict(toy_size=(120, 60, 240))
data = dict(type='ToyData', name='data')
no_drs = dict(
    type='TrainClassifier',
    name='no-drs',
    config='configs/drs/toy/toy_cls_no-drs.py',
    what='plain CAM classifier')
drs = dict(
    type='TrainClassifier',
    name='drs',
    config='configs/drs/toy/toy_cls.py',
    what='DRS classifier (head, delta 0.7)')
drs_learnable = dict(
    type='TrainClassifier',
    name='drs-learnable',
    config='configs/drs/toy/toy_cls_learnable.py',
    what='DRS classifier (head, learnable delta)')
refine = dict(
    type='TrainRefiner',
    name='refine',
    config='configs/drs/toy/toy_refine.py',
    targets='maps-drs',
    what='refinement network')
segmentation = dict(
    type='TrainSegmentor',
    name='segmentation',
    config='configs/drs/toy/toy_deeplabv3plus_pseudo.py',
    labels='pseudo-labels',
    what='DeepLab-V3+ on pseudo labels')
stages = [
    data, {{_base_.check}}, no_drs, drs, drs_learnable,
    {{_base_.maps_no_drs}}, {{_base_.maps_drs}}, refine,
    {{_base_.refined_maps}}, {{_base_.pseudo_labels}}, segmentation,
    {{_base_.report}}
]
