"""``depthwise`` mode: a config's training step (NCHW, as trained on CPUs
without AVX-512) with its depthwise convolutions on PyTorch's convolution
(``pytorch``, the reference) against mmdrs's C kernels (``native``, the
default of :class:`~mmdrs.models.EfficientNetLite`), on a batch of the
config's own training images.
"""
from mmdrs.models.backbones.efficientnet_lite import SameConv2d

from .layout import build_layout

#: each variant's ``SameConv2d.native``, the reference first
NATIVE = {'pytorch': False, 'native': True}
VARIANTS = tuple(NATIVE)
DEFAULT_VARIANTS = VARIANTS


def build_depthwise(args, variant: str):
    """The config's model in NCHW (:func:`.layout.build_layout`) with its
    depthwise convs on the variant's implementation.

    Args:
        args (argparse.Namespace): As for :func:`.layout.build_layout`.
        variant (str): One of :data:`NATIVE`.

    Returns:
        tuple: The model and ``loss(model)``.

    Raises:
        ValueError: the config's model has no depthwise ``SameConv2d``.
    """
    model, loss = build_layout(args, 'nchw')
    convs = [m for m in model.modules()
             if isinstance(m, SameConv2d) and m.depthwise]
    if not convs:
        raise ValueError(f'{args.config}: the model has no depthwise '
                         'SameConv2d (an EfficientNetLite backbone)')
    for m in convs:
        m.native = NATIVE[variant]
    return model, loss
