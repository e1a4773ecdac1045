# Group-WSSS (configs/group_wsss/) next to plain CAM and DRS on the same toy
# data: the four classifiers at equal budget, each one's multi-scale maps
# on `train` scored under both protocols, and a map grid:
#   python tools/run_pipeline.py --profile toy_group
# On a finished toy work dir the plain and DRS classifiers are reused.
_base_ = ['./toy.py']
group = dict(
    type='TrainClassifier',
    name='group',
    config='configs/group_wsss/toy_group_cls.py',
    what='Group-WSSS classifier (plain + graph)')
drs_group = dict(
    type='TrainClassifier',
    name='drs-group',
    config='configs/group_wsss/toy_drs_group_cls.py',
    what='DRS + Group-WSSS classifier')
maps_drs_train = dict(
    type='Maps',
    name='maps-drs-train',
    model='drs',
    split='train',
    what='DRS maps, 3 scales')
maps_group = dict(
    type='Maps',
    name='maps-group',
    model='group',
    split='train',
    what='Group-WSSS maps (graph on self-groups), 3 scales')
maps_drs_group = dict(
    type='Maps',
    name='maps-drs-group',
    model='drs-group',
    split='train',
    what='DRS + Group-WSSS maps, 3 scales')
report = dict(
    type='Report',
    grid=['maps-no-drs', 'maps-drs-train', 'maps-group', 'maps-drs-group'])
stages = [
    {{_base_.data}}, {{_base_.check}}, {{_base_.no_drs}}, {{_base_.drs}},
    group, drs_group, {{_base_.maps_no_drs}}, maps_drs_train, maps_group,
    maps_drs_group, report
]
