# Where DRS goes in the pretrained toy backbone (docs/drs_placement.md): the
# toy classifier (configs/drs/toy/toy_cls.py: ImageNet EfficientNet-Lite0,
# 4 stages, output stride 8) at equal budget with DRS in `all` backbone
# activations (+ the CAM head), in the `last-stage` ones (stage 4; + head)
# or in the CAM `head-only`, at delta 0.4 / 0.55 / 0.7 / learnable, and the
# plain-CAM `baseline`; the last epoch's CAM mIoU on train (threshold sweep
# and saliency protocol), mAP and iteration time. Make the data first:
#   python tools/make_toy_voc.py data/toy_voc_plain --body-cue 0
#   python tools/analysis/sweep.py configs/studies/drs_placement_toy.py \
#       --data-root data/toy_voc_plain --work-dir work_dirs/placement
# and the follow-up on the default toy (body cue 0.25, data/toy_voc):
#   python tools/analysis/sweep.py configs/studies/drs_placement_toy.py \
#       --work-dir work_dirs/placement_cue --variants baseline \
#       last-stage_delta-0.7 last-stage_delta-learnable head-only_delta-0.7 \
#       head-only_delta-learnable
profile = 'toy'
data_root = 'data/toy_voc'
stages = ['drs']
seeds = [0]  # the config's own seed
metrics = [
    'drs.cam/mIoU', 'drs.cam/best_threshold', 'drs.cam/sal_mIoU',
    'drs.cls/mAP', 'drs.train_iter_time'
]
digits = 2
# the study reports the last epoch (the profile keeps the best one)
_last = ['default_hooks.checkpoint.save_best=None']
# DRS in the backbone's `targets` (the config's: stage 4) instead of none
_backbone = ['model.backbone.drs_cfg._delete_=True']
_where = dict(
    all=_backbone + ['model.backbone.targets=[*]'],
    **{'last-stage': _backbone, 'head-only': []})
variants = {
    'baseline':
    dict(overrides=dict(
        drs=dict(config='configs/drs/toy/toy_cls_no-drs.py', options=_last)))
}
for _place, _opts in _where.items():
    for _delta in (0.4, 0.55, 0.7, 'learnable'):
        _set = [f'model.cam_head.drs_cfg.delta={_delta}']
        if _opts:
            _set.append(f'model.backbone.drs_cfg.delta={_delta}')
        variants[f'{_place}_delta-{_delta}'] = dict(
            overrides=dict(drs=dict(options=_last + _opts + _set)))
