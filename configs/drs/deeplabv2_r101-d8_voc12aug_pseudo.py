# DeepLab-V2 ResNet-101 (ASPP rates 6/12/18/24, summed; the DRS paper's
# main segmentation model) on DRS pseudo labels: the DeepLab-V3+ pseudo-label
# config with its heads swapped for mmdrs's DeepLabV2Head. The paper starts
# from COCO-pretrained weights (set load_from); this uses mmseg's ImageNet
# ResNet-101.
_base_ = ['./deeplabv3plus_r101-d8_voc12aug_pseudo.py']
model = dict(
    decode_head=dict(
        _delete_=True,
        type='DeepLabV2Head',
        in_channels=2048,
        in_index=3,
        num_classes=21,
        dilations=(6, 12, 18, 24),
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    auxiliary_head=None)
