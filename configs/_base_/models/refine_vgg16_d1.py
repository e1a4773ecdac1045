# The DRS paper's refinement network: ImageNet VGG-16 D1 without DRS, 3
# extra 3x3 512 convs and a 1x1 conv to the 20 class maps (N(0, 0.01) init),
# output upsampled to the input size (align_corners=True), raw regression
# output (MSE to the classifier's maps). Its maps are used raw, as in the
# authors' pseudo_seg_label_gen.py (normalize=False).
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255,
    size=(320, 320))
model = dict(
    type='MapRefiner',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='VGG16D1',
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://vgg16')),
    refine_head=dict(
        type='MultiLabelCAMHead',
        in_channels=512,
        channels=512,
        num_classes=20,
        num_convs=3,
        drs_cfg=None,
        # all four convs N(0, 0.01) (the paper's refinement init): small
        # initial outputs for the regression
        init_cfg=dict(type='Normal', layer='Conv2d', std=0.01, bias=0)),
    test_cfg=dict(bg_score=0.25, use_gt_labels=True, normalize=False))
# refined maps for pseudo labels: the classifier's 3-scale max fusion
# (docs/fidelity.md, localization maps)
map_cfg = dict(scales=(256, 320, 384), flip=False, out_size=None)
