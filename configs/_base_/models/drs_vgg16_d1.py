# The DRS paper's classifier: ImageNet VGG-16 "D1" (output stride 8) with
# learnable DRS after all 13 convs, and a head of 3 extra 3x3 convs with DRS
# and a 1x1 classifier to the 20 VOC foreground classes.
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255,
    size=(320, 320))  # training crop (test batches pad to their largest image)
drs_cfg = dict(delta='learnable')
model = dict(
    type='CAMClassifier',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='DRSBackbone',
        backbone=dict(
            type='VGG16D1',
            init_cfg=dict(type='Pretrained',
                          checkpoint='torchvision://vgg16')),
        drs_cfg=drs_cfg,
        targets=['features.*']),
    cam_head=dict(
        type='MultiLabelCAMHead',
        in_channels=512,
        channels=512,
        num_classes=20,
        num_convs=3,
        drs_cfg=drs_cfg),
    # background score of the predicted segmentation (mmseg's IoUMetric);
    # CAMIoUMetric sweeps it.
    test_cfg=dict(bg_score=0.25, use_gt_labels=True))
# Localization maps (tools/generate_maps.py): the paper's inference - the
# image squashed to 320x320 (test pipeline), run at 256/320/384, each scale
# normalised, max-fused; no flip; stored at the original image size.
map_cfg = dict(scales=(256, 320, 384), flip=False, out_size=None)
