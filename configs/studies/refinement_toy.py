# Where refinement learning loses quality on the toy (docs/refinement.md):
# on a finished toy pipeline (`make demo`: its DRS classifier and DRS maps
# are the fixed targets, reused from work_dirs/toy) the refinement stage is
# re-run with one factor of its recipe changed at a time, 3 seeds, and each
# variant's refined maps are scored as the pipeline scores them: CAM mIoU on
# train (threshold sweep on per-image normalised maps; saliency protocol),
# pseudo labels on train (saliency rules; the threshold rule), CAM mIoU on
# val. `drs-maps` is the reference: the DRS maps themselves (one run).
#   make demo
#   python tools/analysis/sweep.py configs/studies/refinement_toy.py \
#       [--variants baseline paper-lr] [--seeds 0 1 2]
profile = 'toy'
data_root = 'data/toy_voc'
_demo = dict(work_dir='work_dirs/toy', stages=['drs', 'maps-drs'])
extra_stages = [
    # the refined maps of train_aug, scored on train (= the profile's
    # refined-maps) and of val, scored on val; pseudo labels of train
    dict(type='Maps', name='train-maps', model='refine', split='trainaug',
         out='refined', normalize_eval=True, what='refined maps'),
    dict(type='Maps', name='val-maps', model='refine', split='val',
         eval_split='val', out='refined_val', normalize_eval=True,
         what='refined maps of val'),
    dict(type='PseudoLabels', name='train-labels', maps=['train-maps'],
         split='train', what='pseudo labels of train'),
]
stages = ['refine', 'train-maps', 'val-maps', 'train-labels']
seeds = [0, 1, 2]
metrics = [
    'train-maps.cam/mIoU', 'train-maps.cam/sal_mIoU',
    'train-labels.pseudo/mIoU', 'train-labels.pseudo_threshold/mIoU',
    'val-maps.cam/mIoU', 'val-maps.cam/sal_mIoU'
]
digits = 2
# the study's baseline: the toy recipe when the study was made (lr 1e-3;
# the toy default is now the paper's 1e-4, `paper-lr`)
_base = ['optim_wrapper.optimizer.lr=0.001']


def _refine(options):
    return dict(reuse=_demo, overrides=dict(refine=dict(options=options)))


variants = {
    # the DRS maps (train_aug, the demo's) scored the same way
    'drs-maps': dict(
        seeds=[0], reuse=_demo, stages=['val-maps', 'train-labels'],
        overrides={
            'train-maps': dict(model='drs', out='drs', quantize='floor',
                               normalize_eval=False),
            'val-maps': dict(model='drs', out='drs_val', quantize='floor',
                             normalize_eval=False)
        }),
    'baseline': _refine(_base),
    'paper-lr': _refine(['optim_wrapper.optimizer.lr=0.0001']),
    '3x-epochs': _refine(_base + [
        'train_cfg.max_epochs=18', 'param_scheduler.0.milestones=[12]',
        'train_cfg.val_interval=6', 'default_hooks.checkpoint.interval=6'
    ]),
    # 168-px input (21x21 features): binding.image_size_options(cfg, 168,
    # 168) of the refiner's config; its recorded row mapped at the default
    # size (training only), a re-run maps at 168 px too (since 2026-12-07 a
    # map stage takes its model stage's model, test-data and map options)
    'input-168': _refine(_base + [
        'train_dataloader.dataset.pipeline.1.scale=(168,168,)',
        'val_dataloader.dataset.pipeline.1.scale=(168,168,)',
        'test_dataloader.dataset.pipeline.1.scale=(168,168,)',
        'model.data_preprocessor.size=(168,168,)',
        'map_cfg.scales=(134,168,202,)'
    ]),
    # no per-pixel max mask on the targets (pipeline.2: LoadCAMTargets)
    'no-max-mask': _refine(
        _base + ['train_dataloader.dataset.pipeline.2.max_mask=False']),
    # the baseline's networks, each pass max-normalised at inference
    'normalized': dict(
        reuse=[_demo, dict(variant='baseline', stages=['refine'])],
        overrides={
            m: dict(options=['model.test_cfg.normalize=True'])
            for m in ('train-maps', 'val-maps')
        }),
}
