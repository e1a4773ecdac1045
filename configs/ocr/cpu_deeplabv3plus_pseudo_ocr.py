# OCR on the real-photograph DeepLab-V3+ (the `cpu` profile's segmentation
# config): the same model, data and schedule, trained as WSSSEncoderDecoder
# with OutOfCandidateLoss (at the logits' resolution, its default) beside the
# pseudo-label cross-entropy; the photos' tags as the `_tags` config loads
# them (from each photo's whole mask, before any crop).
_base_ = ['../drs/cpu/cpu_deeplabv3plus_pseudo_tags.py']
model = dict(extra_losses=[
    dict(type='OutOfCandidateLoss', ic_mode='top1', oc_topk=1, margin=0.0,
         pixels='oc', loss_weight=1.0)
])
work_dir = 'work_dirs/cpu/deeplabv3plus_ocr'
