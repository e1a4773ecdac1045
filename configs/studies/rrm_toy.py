# RRM one-step vs DRS pseudo labels -> DeepLab on the same toy data
# (configs/rrm/README.md): RRM (configs/rrm/toy_rrm_efficientnet-lite0.py,
# image labels only) at 300 iterations (3 seeds) and at the config's 1,200
# (2 seeds), its val mIoU (real masks); the DRS side (`drs`, one run) is
# read from a finished `--profile toy_rrm` pipeline in work_dirs/toy: DRS
# pseudo labels and DeepLab-V3+ on them, RRM's reliable-region rule on the
# DRS maps (precision / coverage / mIoU of its labels) and DeepLab-V3+ on
# those.
#   python tools/run_pipeline.py --profile toy_rrm
#   python tools/analysis/sweep.py configs/studies/rrm_toy.py
# (The former rrm_study.py also scored the labels RRM's own labeler makes on
# the train images, and the precision / coverage of the DRS pseudo labels;
# no pipeline stage records those yet, so they are not in this study.)
profile = 'toy_rrm'
data_root = 'data/toy_voc'
stages = ['data', 'rrm']
seeds = [0, 1, 2]
metrics = [
    'rrm.mIoU', 'rrm.train_iter_time', 'segmentation.mIoU',
    'pseudo-labels.pseudo/mIoU', 'pseudo-labels-reliable.pseudo/precision',
    'pseudo-labels-reliable.pseudo/coverage',
    'pseudo-labels-reliable.pseudo/mIoU', 'segmentation-reliable.mIoU'
]
digits = 2
variants = {
    'rrm-300': dict(overrides=dict(rrm=dict(iters=300))),
    'rrm-1200': dict(seeds=[0, 1], overrides=dict(rrm=dict(iters=1200))),
    'drs': dict(seeds=[0], stages=['pseudo-labels'], reuse=dict(
        work_dir='work_dirs/toy', stages=[
            'pseudo-labels', 'segmentation', 'pseudo-labels-reliable',
            'segmentation-reliable'
        ])),
}
