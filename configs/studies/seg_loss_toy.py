# Extra segmentation losses on the same pseudo labels (configs/ocr/README.md):
# the toy DeepLab-V3+ as is (`baseline`), with OutOfCandidateLoss (`ocr`,
# configs/ocr/) and with the DRS authors' self-training term
# (`self-training`), 3 seeds at equal iterations, on the pseudo labels of a
# finished toy pipeline (`make demo`, reused from work_dirs/toy): val mIoU,
# the share of val pixels / images predicted out of candidate, iteration
# time (the last iteration's validation, as the configs keep).
#   make demo
#   python tools/analysis/sweep.py configs/studies/seg_loss_toy.py \
#       [--seeds 0 1 2]
profile = 'toy'
data_root = 'data/toy_voc'
stages = ['segmentation']
seeds = [0, 1, 2]
metrics = [
    'segmentation.mIoU', 'segmentation.oc/pixel_pct',
    'segmentation.oc/image_pct', 'segmentation.train_iter_time'
]
digits = 2
_labels = dict(work_dir='work_dirs/toy', stages=['pseudo-labels'])
variants = {
    'baseline': dict(reuse=_labels),
    'ocr': dict(reuse=_labels, overrides=dict(segmentation=dict(
        config='configs/ocr/toy_deeplabv3plus_pseudo_ocr.py'))),
    'self-training': dict(reuse=_labels, overrides=dict(segmentation=dict(
        config='configs/drs/toy/toy_deeplabv3plus_pseudo_selftrain.py'))),
}
