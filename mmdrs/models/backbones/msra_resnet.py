"""The ResNet of DeepLab-v1/v2 (MSRA caffe layout) for converted weights."""
from mmseg.models.backbones import ResNet
from mmseg.registry import MODELS


@MODELS.register_module()
class MSRAResNet(ResNet):
    """mmseg's ``ResNet`` in the layout of DeepLab-v1/v2's caffe ResNet.

    DeepLab's ResNet-101 (the DRS authors' COCO-pretrained DeepLab-v1 init,
    as converted by deeplab-pytorch) puts the stride in the first 1x1 conv
    of a bottleneck (``style='caffe'``, the default here), has no conv
    biases and a stem max-pool with ``ceil_mode=True``; only the last
    differs from mmseg's ``ResNet``. Weights in deeplab-pytorch's layout load
    after ``tools/model_converters/deeplab_to_mmseg.py``.

    Args:
        **kwargs: mmseg ``ResNet`` arguments; ``style`` defaults to
            ``'caffe'``.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault('style', 'caffe')
        super().__init__(**kwargs)
        self.maxpool.ceil_mode = True
