# OCR on real photographs (data/voc_mini): DeepLab-V3+ with and without the
# out-of-candidate loss on the same pseudo labels (one labelling run: the
# cpu profile's DRS classifier, its maps and labels, seed 0), 3 training
# seeds each; val mIoU and the share of val pixels out of candidate.
#   python tools/analysis/sweep.py configs/studies/photo_ocr.py
# Results: configs/ocr/README.md ("Real photographs").
profile = 'cpu'
data_root = None  # the profile's: data/voc_mini
work_dir = 'work_dirs/photo_ocr'
seeds = [0, 1, 2]
metrics = ['pseudo-labels.pseudo/mIoU', 'segmentation.mIoU',
           'segmentation.oc/pixel_pct', 'segmentation.seconds']
_labelling = ['check', 'drs', 'maps-drs', 'pseudo-labels']
_labels = dict(work_dir=work_dir + '/labels/seed0', stages=_labelling)
variants = dict(
    # the pseudo labels: the profile's rule on the DRS maps (refinement
    # loses on photos, so the profile's selection keeps these anyway)
    labels=dict(seeds=[0], stages=_labelling, overrides={
        'pseudo-labels': dict(maps=['maps-drs'])}),
    # DeepLab-V3+ as the profile trains it
    plain=dict(stages=['segmentation'], reuse=_labels),
    # the same with OCR
    ocr=dict(stages=['segmentation'], reuse=_labels, overrides={
        'segmentation': dict(
            config='configs/ocr/cpu_deeplabv3plus_pseudo_ocr.py')}),
)
