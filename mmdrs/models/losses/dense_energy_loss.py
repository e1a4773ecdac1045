"""Dense (CRF) energy loss, gated as in RRM, in pure PyTorch."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.registry import MODELS

from ..utils.gaussian_filter import (PermutohedralLattice,
                                     exact_gaussian_filter)

KERNELS = ('exact', 'lattice', 'auto')
GATES = ('rrm', 'none')
GRADIENTS = ('authors', 'exact')


def pixel_features(images: torch.Tensor, sigma_rgb: float,
                   sigma_xy: float) -> torch.Tensor:
    """(B, h*w, 5) features (x / sigma_xy, y / sigma_xy, rgb / sigma_rgb)
    of (B, 3, h, w) images."""
    b, _, h, w = images.shape
    ys, xs = torch.meshgrid(
        torch.arange(h, device=images.device, dtype=torch.float32),
        torch.arange(w, device=images.device, dtype=torch.float32),
        indexing='ij')
    xy = torch.stack([xs, ys]).reshape(1, 2, -1).expand(b, -1, -1)
    rgb = images.float().reshape(b, 3, -1)
    return torch.cat([xy / sigma_xy, rgb / sigma_rgb], 1).transpose(1, 2)


class _GatedEnergy(torch.autograd.Function):
    """E = -sum_i g_i sum_k S_ik (W S_k)_i with a constant gate g; W is
    applied by ``filters[b]`` (one per image) without autograd's N^2 graph.

    Backward: ``'exact'`` = -(g (W S) + W (g S)), the gradient of E with g
    fixed; ``'authors'`` = -2 g (W S), RRM's hand-written form (equal to
    the exact one when g is constant over the image).
    """

    @staticmethod
    def forward(ctx, probs, gate, filters, gradient):
        # probs (B, N, C) already masked by the ROI; gate (B, N)
        with torch.no_grad():
            ws = torch.stack([f(p) for f, p in zip(filters, probs)])
            energy = -(probs * ws * gate[..., None]).sum()
        ctx.save_for_backward(probs, gate, ws)
        ctx.filters, ctx.gradient = filters, gradient
        return energy

    @staticmethod
    def backward(ctx, grad_out):
        probs, gate, ws = ctx.saved_tensors
        if ctx.gradient == 'authors':
            grad = -2 * gate[..., None] * ws
        else:
            gs = probs * gate[..., None]
            wgs = torch.stack([f(p) for f, p in zip(ctx.filters, gs)])
            grad = -(gate[..., None] * ws + wgs)
        return grad * grad_out, None, None, None


def dense_energy(probs: torch.Tensor,
                 images: torch.Tensor,
                 roi: Optional[torch.Tensor] = None,
                 unreliable: Optional[torch.Tensor] = None,
                 sigma_rgb: float = 15.0,
                 sigma_xy: float = 50.0,
                 gate: str = 'rrm',
                 kernel: str = 'exact',
                 gradient: str = 'authors') -> torch.Tensor:
    """RRM's gated dense energy at the given resolution, averaged over the
    batch (no weight, no rescaling).

    ``-(1/B) sum_b sum_k sum_i S~_ik g_i (W S~_k)_i``, S~ = S * ROI,
    ``W_ij = exp(-|xy_i - xy_j|^2 / 2 sigma_xy^2 - |rgb_i - rgb_j|^2 / 2
    sigma_rgb^2)`` (i = j included). Gate ``'rrm'``: g = 1 at unreliable
    pixels, ``max(0, 1 - max_k S_ik)`` at the others inside the ROI, 0
    outside (held constant); ``'none'``: g = 1 (Tang et al.'s DenseCRF loss).

    Args:
        probs (Tensor): (B, C, h, w) class probabilities.
        images (Tensor): (B, 3, h, w) pixel values 0-255.
        roi (Tensor, optional): (B, h, w) bool/0-1, the real image area
            (False on padding). None = everywhere.
        unreliable (Tensor, optional): (B, h, w) bool, pixels without a
            reliable label (label 255). None = none.
        sigma_rgb, sigma_xy (float): Kernel widths in pixel values and in
            pixels *at this resolution*.
        gate (str): ``'rrm'`` or ``'none'``.
        kernel (str): ``'exact'`` (O(N^2), chunked), ``'lattice'``
            (permutohedral, calibrated to the unit Gaussian in height and
            width) or ``'auto'`` (exact up to 4,096 pixels per image).
        gradient (str): ``'authors'`` (RRM's -2 g W S) or ``'exact'``.

    Returns:
        Tensor: Scalar energy (negative).
    """
    if gate not in GATES:
        raise ValueError(f'gate must be one of {GATES}, got {gate!r}')
    if kernel not in KERNELS:
        raise ValueError(f'kernel must be one of {KERNELS}, got {kernel!r}')
    if gradient not in GRADIENTS:
        raise ValueError(
            f'gradient must be one of {GRADIENTS}, got {gradient!r}')
    b, c, h, w = probs.shape
    if images.shape[0] != b or images.shape[1] != 3 or \
            images.shape[-2:] != probs.shape[-2:]:
        raise ValueError(f'images {tuple(images.shape)} must be (B, 3, h, '
                         f'w) matching probs {tuple(probs.shape)}')
    roi = (torch.ones(b, h, w, device=probs.device) if roi is None else
           roi.to(probs.dtype))
    probs = probs * roi[:, None]
    if gate == 'rrm':
        g = (roi - probs.detach().amax(1)).clamp(min=0)
        if unreliable is not None:
            g = torch.where(unreliable.bool(), torch.ones_like(g), g)
    else:
        g = torch.ones_like(roi)
    if kernel == 'auto':
        kernel = 'exact' if h * w <= 4096 else 'lattice'
    feats = pixel_features(images, sigma_rgb, sigma_xy)
    if kernel == 'exact':
        filters = [
            lambda v, f=f: exact_gaussian_filter(f, v) for f in feats
        ]
    else:
        lattices = [PermutohedralLattice(f, calibrated=True) for f in feats]
        filters = [lambda v, lat=lat: lat.filter(v, normalize=True)
                   for lat in lattices]
    flat = probs.flatten(2).transpose(1, 2)  # (B, N, C)
    energy = _GatedEnergy.apply(flat, g.flatten(1).detach(), filters,
                                gradient)
    return energy / b


@MODELS.register_module()
class DenseEnergyLoss(nn.Module):
    """RRM's gated dense energy loss (Tang et al.'s DenseCRF loss with
    RRM's gate), an extra loss of the WSSS segmentors (protocol in
    :mod:`mmdrs.models.losses`), pure PyTorch on CPU and GPU.

    The softmax of the logits, the image, the real-image area and the
    reliable label are downscaled by ``scale_factor`` (image, area and
    label nearest, probabilities bilinear, as the authors); then
    :func:`dense_energy` with ``sigma_xy * scale_factor``.

    Scale of the weight: the energy is a *sum* over pixel pairs, so the
    weight belongs to a resolution (the authors' 1e-7: 321 crops, scale
    0.5). This loss is defined on the exact Gaussian (the lattice form is
    calibrated to it); the authors' permutohedral filter (same algorithm,
    uncalibrated) gives 0.57 times the exact energy at their setting
    (``tools/benchmarks/dense_energy_loss.py``, synthetic 321 crop), so
    their weight becomes 1e-7 x 0.57 = 5.7e-8, the default.

    Args:
        sigma_rgb (float): Colour width (0-255 values). Defaults to 15.
        sigma_xy (float): Spatial width in input pixels. Defaults to 100.
        scale_factor (float): Downscaling before the loss. Defaults to 0.5.
        gate (str): ``'rrm'`` (default) or ``'none'`` (Tang's loss).
        kernel (str): ``'exact'``, ``'lattice'`` or ``'auto'`` (default:
            exact up to 4,096 pixels after downscaling).
        gradient (str): ``'authors'`` (default) or ``'exact'``.
        loss_weight (float): Defaults to 5.7e-8 (see above).
        ignore_index (int): Unreliable label value. Defaults to 255.
        loss_name (str): Defaults to ``'loss_dense'``.
    """

    def __init__(self,
                 sigma_rgb: float = 15.0,
                 sigma_xy: float = 100.0,
                 scale_factor: float = 0.5,
                 gate: str = 'rrm',
                 kernel: str = 'auto',
                 gradient: str = 'authors',
                 loss_weight: float = 5.7e-8,
                 ignore_index: int = 255,
                 loss_name: str = 'loss_dense'):
        super().__init__()
        for name, value, allowed in [('gate', gate, GATES),
                                     ('kernel', kernel, KERNELS),
                                     ('gradient', gradient, GRADIENTS)]:
            if value not in allowed:
                raise ValueError(f'DenseEnergyLoss: {name} must be one of '
                                 f'{allowed}, got {value!r}')
        if not 0 < scale_factor <= 1:
            raise ValueError('DenseEnergyLoss: scale_factor must be in '
                             f'(0, 1], got {scale_factor}')
        self.sigma_rgb = sigma_rgb
        self.sigma_xy = sigma_xy
        self.scale_factor = scale_factor
        self.gate = gate
        self.kernel = kernel
        self.gradient = gradient
        self.loss_weight = loss_weight
        self.ignore_index = ignore_index
        self._loss_name = loss_name

    @property
    def loss_name(self) -> str:
        return self._loss_name

    def forward(self,
                seg_logits: torch.Tensor,
                seg_label: Optional[torch.Tensor] = None,
                data_samples=None,
                images: Optional[torch.Tensor] = None,
                valid_mask: Optional[torch.Tensor] = None,
                **kwargs) -> torch.Tensor:
        """Weighted loss of (B, C, h, w) logits.

        Args:
            seg_logits (Tensor): Logits at the label resolution.
            seg_label (Tensor, optional): (B, h, w) labels; the
                ``ignore_index`` pixels are the unreliable ones.
            data_samples: Unused.
            images (Tensor): (B, 3, h, w) pixel values 0-255 (required).
            valid_mask (Tensor, optional): (B, h, w) real-image area.
        """
        if images is None:
            raise ValueError('DenseEnergyLoss needs images=(B, 3, h, w) '
                             'pixel values (use it as an extra loss of '
                             'WSSSEncoderDecoder or RRMSegmentor)')
        probs = seg_logits.float().softmax(1)
        s = self.scale_factor
        roi = valid_mask
        unreliable = None if seg_label is None else \
            seg_label == self.ignore_index
        if s != 1:
            probs = F.interpolate(probs, scale_factor=s, mode='bilinear',
                                  align_corners=False)
            images = F.interpolate(images.float(), scale_factor=s)
            if roi is not None:
                roi = F.interpolate(roi[:, None].float(),
                                    scale_factor=s)[:, 0]
            if unreliable is not None:
                unreliable = F.interpolate(unreliable[:, None].float(),
                                           scale_factor=s)[:, 0].bool()
        energy = dense_energy(probs, images, roi, unreliable,
                              self.sigma_rgb, self.sigma_xy * s, self.gate,
                              self.kernel, self.gradient)
        return self.loss_weight * energy

    def extra_repr(self) -> str:
        return (f'sigma_rgb={self.sigma_rgb}, sigma_xy={self.sigma_xy}, '
                f'scale_factor={self.scale_factor}, gate={self.gate}, '
                f'kernel={self.kernel}, loss_weight={self.loss_weight}')
