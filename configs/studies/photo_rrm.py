# RRM on real photographs (data/voc_mini), against the cpu profile's DRS ->
# DeepLab-V3+ (configs/drs/README.md, 3 seeds) at equal budget: ~8,000
# training crops (configs/rrm/cpu_rrm_efficientnet-lite0.py). 3 seeds each:
# - `rrm`: RRM one-step, the segmentation branch's val mIoU;
# - `two_step`: the paper's two-step - the one-step segmentor's predictions
#   on trainaug (with or without the authors' test-time CRF, whichever
#   scores better on train) train the profile's DeepLab-V3+ (+4,000 crops:
#   1.5x the budget, as in the paper).
#   python tools/analysis/sweep.py configs/studies/photo_rrm.py
# Results: configs/rrm/README.md ("Real photographs").
profile = 'cpu'
data_root = None  # the profile's: data/voc_mini
work_dir = 'work_dirs/photo_rrm'
seeds = [0, 1, 2]
extra_stages = [
    dict(type='TrainOneStepSegmentor', name='rrm',
         config='configs/rrm/cpu_rrm_efficientnet-lite0.py',
         what='RRM one-step segmentor (image labels only)'),
    dict(type='PredictedPseudoLabels', name='rrm-labels', model='rrm',
         what="RRM's predicted labels"),
    dict(type='TrainSegmentor', name='segmentation-rrm',
         config='configs/drs/cpu/cpu_deeplabv3plus_pseudo.py',
         labels='rrm-labels',
         what='DeepLab-V3+ on RRM labels (two-step)'),
]
metrics = [
    'rrm.mIoU', 'rrm.aAcc', 'rrm.seconds', 'rrm-labels.pseudo/mIoU',
    'segmentation-rrm.mIoU', 'segmentation-rrm.seconds'
]
variants = dict(
    rrm=dict(stages=['check', 'rrm']),
    two_step=dict(stages=['rrm-labels', 'segmentation-rrm'],
                  reuse=dict(variant='rrm', stages=['check', 'rrm'])),
)
