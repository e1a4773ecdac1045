# OCR on the toy DeepLab-V3+ pseudo-label config: the same model and
# schedule, trained as WSSSEncoderDecoder with OutOfCandidateLoss added to
# the pseudo-label cross-entropy (tags from each image's whole mask).
_base_ = ['../drs/toy/toy_deeplabv3plus_pseudo_tags.py']
model = dict(extra_losses=[
    dict(type='OutOfCandidateLoss', ic_mode='top1', oc_topk=1, margin=0.0,
         pixels='oc', loss_weight=1.0)
])
work_dir = 'work_dirs/toy/deeplabv3plus_ocr'
