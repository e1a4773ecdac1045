# The toy demo plus the segmentation stage trained again with OCR
# (configs/ocr/) on the same pseudo labels, reported side by side. On a
# finished toy work dir only the new stage runs:
#   python tools/run_pipeline.py --profile toy_ocr
# (any profile: --set segmentation.config=configs/ocr/<config> swaps OCR in)
_base_ = ['./toy.py']
segmentation_ocr = dict(
    type='TrainSegmentor',
    name='segmentation-ocr',
    config='configs/ocr/toy_deeplabv3plus_pseudo_ocr.py',
    labels='pseudo-labels',
    what='DeepLab-V3+ with OCR on pseudo labels')
stages = [
    {{_base_.data}}, {{_base_.check}}, {{_base_.no_drs}}, {{_base_.drs}},
    {{_base_.drs_learnable}}, {{_base_.maps_no_drs}}, {{_base_.maps_drs}},
    {{_base_.refine}}, {{_base_.refined_maps}}, {{_base_.pseudo_labels}},
    {{_base_.segmentation}}, segmentation_ocr, {{_base_.report}}
]
