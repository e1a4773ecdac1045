# RRM (Zhang et al., AAAI 2020; configs/rrm/README.md): one network whose
# classification branch (CAMs averaged over scales 1/0.5/1.5/2) labels the
# reliable regions that train its segmentation branch (balanced CE + gated
# dense energy loss). mmseg's ImageNet ResNetV1c-101 at output stride 8,
# frozen BN; the authors' labeler constants and dense-loss widths (321 crop).
num_classes = 21
model = dict(
    type='RRMSegmentor',
    data_preprocessor=dict(
        type='SegDataPreProcessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_val=0,
        seg_pad_val=255,
        size=(321, 321)),
    backbone=dict(
        type='ResNetV1c',
        depth=101,
        num_stages=4,
        out_indices=(3, ),
        dilations=(1, 1, 2, 4),
        strides=(1, 2, 1, 1),
        norm_cfg=dict(type='BN', requires_grad=False),
        norm_eval=True,
        contract_dilation=True,
        init_cfg=dict(
            type='Pretrained', checkpoint='open-mmlab://resnet101_v1c')),
    cam_head=dict(
        type='MultiLabelCAMHead',
        in_channels=2048,
        num_classes=num_classes - 1,
        num_convs=0,
        drs_cfg=None,
        classifier_bias=False,
        init_cfg=dict(type='Xavier', layer='Conv2d',
                      distribution='uniform')),
    decode_head=dict(
        type='RRMHead',
        in_channels=2048,
        channels=512,
        dilation=12,
        num_classes=num_classes,
        align_corners=False,
        loss_decode=dict(type='BgFgBalancedCELoss', reduction='sum')),
    labeler=dict(type='ReliableRegionLabeler', bg_power=32,
                 crf_powers=(4, 32), cam_floor=0.1, fg_percentile=0.6,
                 bg_sure=0.8, crf_conf=0.8),
    cam_scales=(0.5, 1.5, 2.0),
    cam_dropout=0.5,
    # classifier alone for the first half of the 20k steps (no VOC-trained
    # classifier to start from: the authors' ImageNet recipe B)
    cls_only_iters=10000,
    extra_losses=[
        # the authors' 1e-7 on the exact-Gaussian scale (README)
        dict(type='DenseEnergyLoss', sigma_rgb=15, sigma_xy=100,
             scale_factor=0.5, gate='rrm', kernel='lattice',
             gradient='authors', loss_weight=5.7e-8)
    ],
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
# the authors' test-time CRF on the segmentation branch's probabilities
# (infer_RRM.py; tools/test.py --crf, the two-step's PredictedPseudoLabels)
crf_cfg = dict(iters=10, gauss_sxy=3, gauss_compat=3, bilateral_sxy=83,
               bilateral_srgb=5, bilateral_compat=4)
