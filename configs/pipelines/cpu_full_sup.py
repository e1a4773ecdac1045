# The fully supervised reference of the cpu profile: its DeepLab-V3+ recipe
# trained on the real masks of the same trainaug photos, evaluated on the
# same val masks (what "pseudo labels reach N % of full supervision" is
# measured against):
#   python tools/run_pipeline.py --profile cpu_full_sup [--seed 1]
work_dir = 'work_dirs/cpu_full_sup'
data_root = 'data/voc_mini'
variables = dict(img_size=None, epochs=None, seg_iters=None)
stages = [
    dict(type='CheckData', name='check'),
    dict(
        type='TrainSegmentor',
        name='segmentation-full-sup',
        config='configs/drs/cpu/cpu_deeplabv3plus_full-sup.py',
        labels=None,
        what='DeepLab-V3+ on the real train masks (fully supervised)'),
    dict(type='Report'),
]
