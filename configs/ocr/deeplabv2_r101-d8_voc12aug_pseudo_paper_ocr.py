# OCR on the DRS authors' DeepLab-V2 recipe (already a WSSSEncoderDecoder
# with VOC XML tags for its self-training term): OutOfCandidateLoss joins
# the extra losses, on each multi-scale output.
_base_ = ['../drs/deeplabv2_r101-d8_voc12aug_pseudo_paper.py']
model = dict(extra_losses=[
    dict(type='SelfTrainingLoss', mask='multiply'),
    dict(type='OutOfCandidateLoss', loss_weight=1.0)
])
val_evaluator = [
    dict(type='IoUMetric', iou_metrics=['mIoU']),
    dict(type='OutOfCandidateRate')
]
test_evaluator = val_evaluator
