"""mmseg's EncoderDecoder with what segmentation on pseudo labels adds."""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.models.losses import accuracy
from mmseg.models.segmentors import EncoderDecoder
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from mmseg.utils import SampleList, add_prefix


def valid_region_mask(data_samples: SampleList, input_size: Tuple[int, int],
                      size: Tuple[int, int], device=None) -> torch.Tensor:
    """(B, h, w) bool: True inside each image, False on the batch padding.

    ``padding_size`` ([left, right, top, bottom], set by mmseg's data
    preprocessor) is given at ``input_size``; the mask is at ``size``.
    """
    h, w = size
    in_h, in_w = input_size
    mask = torch.zeros(len(data_samples), h, w, dtype=torch.bool,
                       device=device)
    for i, ds in enumerate(data_samples):
        left, right, top, bottom = ds.metainfo.get('padding_size',
                                                   None) or [0] * 4
        y0, y1 = round(top * h / in_h), h - round(bottom * h / in_h)
        x0, x1 = round(left * w / in_w), w - round(right * w / in_w)
        mask[i, y0:y1, x0:x1] = True
    return mask


@MODELS.register_module()
class WSSSEncoderDecoder(EncoderDecoder):
    """mmseg's ``EncoderDecoder`` for training on pseudo labels.

    With neither option below it *is* mmseg's ``EncoderDecoder`` (same
    losses, same predictions), so any mmseg config can switch to it. It adds:

    * ``extra_losses``: losses that need more than logits and labels - the
      image-level tags (``data_sample.gt_img_labels``, packed by
      :class:`~mmdrs.datasets.PackImageLabelInputs`), the image, the padding
      (the protocol is in :mod:`mmdrs.models.losses`): e.g. the DRS
      authors' :class:`~mmdrs.models.losses.SelfTrainingLoss`, OCR's
      :class:`~mmdrs.models.losses.OutOfCandidateLoss`, RRM's dense energy
      loss. They are computed on every decoder output that gets the decode
      losses.
    * ``train_scales`` (multi-scale inputs, "MSC", as the DRS authors train
      DeepLab-V2): the decode head also runs on the input resized by each
      scale; each of these outputs, the full-scale one and their element-wise
      maximum (at the full-scale output's size) gets the losses.
    * ``loss_resolution``: ``'labels'`` (mmseg's: logits upsampled to the
      labels) or ``'logits'`` (the authors' DeepLab-V2: labels resized to each
      output by nearest neighbour, as PIL does). An extra loss with a
      ``resolution`` attribute of its own is taken there instead.
    * ``test_scales``: MSC inference - the maximum of the logits over the
      input and its rescaled copies (the authors' DeepLab-V2 test).

    Args:
        extra_losses (list[dict], optional): Extra loss configs.
        train_scales (Sequence[float], optional): Extra input scales for
            training, e.g. ``(0.75, 0.5)``; None = single scale.
        test_scales (Sequence[float], optional): Extra input scales for
            inference, e.g. ``(0.5, 0.75)``; None = single scale.
        loss_resolution (str): ``'labels'`` or ``'logits'``.
        **kwargs: ``EncoderDecoder`` arguments.
    """

    def __init__(self,
                 *args,
                 extra_losses: Optional[List[dict]] = None,
                 train_scales: Optional[Sequence[float]] = None,
                 test_scales: Optional[Sequence[float]] = None,
                 loss_resolution: str = 'labels',
                 **kwargs):
        super().__init__(*args, **kwargs)
        if loss_resolution not in ('labels', 'logits'):
            raise ValueError("loss_resolution must be 'labels' or 'logits', "
                             f'got {loss_resolution!r}')
        self.extra_losses = nn.ModuleList(
            MODELS.build(c) for c in (extra_losses or []))
        for loss in self.extra_losses:
            if not isinstance(getattr(loss, 'loss_name', None), str):
                raise TypeError(f'extra loss {type(loss).__name__} has no '
                                'loss_name (see mmdrs.models.losses)')
        self.train_scales = tuple(train_scales or ())
        self.test_scales = tuple(test_scales or ())
        self.loss_resolution = loss_resolution

    # -- inference -----------------------------------------------------
    def _msc_logits(self, inputs: torch.Tensor,
                    scales: Sequence[float]) -> List[torch.Tensor]:
        """Decoder outputs at scale 1 and at ``scales`` (not resized)."""
        outs = [self.decode_head.forward(self.extract_feat(inputs))]
        for s in scales:
            x = F.interpolate(inputs, scale_factor=s, mode='bilinear',
                              align_corners=False)
            outs.append(self.decode_head.forward(self.extract_feat(x)))
        return outs

    @staticmethod
    def _max_fuse(outs: List[torch.Tensor]) -> torch.Tensor:
        size = outs[0].shape[-2:]
        return torch.stack([outs[0]] + [
            F.interpolate(o, size=size, mode='bilinear', align_corners=False)
            for o in outs[1:]
        ]).amax(0)

    def encode_decode(self, inputs: torch.Tensor,
                      batch_img_metas: List[dict]) -> torch.Tensor:
        if not self.test_scales:
            return super().encode_decode(inputs, batch_img_metas)
        fused = self._max_fuse(self._msc_logits(inputs, self.test_scales))
        return self.decode_head.predict_by_feat(fused, batch_img_metas)

    # -- training --------------------------------------------------------
    def loss(self, inputs: torch.Tensor, data_samples: SampleList) -> dict:
        if not self.extra_losses and not self.train_scales and \
                self.loss_resolution == 'labels':
            return super().loss(inputs, data_samples)  # mmseg's own path
        x = self.extract_feat(inputs)
        outs = [('decode', self.decode_head.forward(x))]
        if self.train_scales:
            scaled = self._msc_logits(inputs, self.train_scales)[1:]
            outs += [(f'decode_s{s:g}', o)
                     for s, o in zip(self.train_scales, scaled)]
            outs.append(('decode_max',
                         self._max_fuse([o for _, o in outs])))
        images = self._images(inputs)
        losses = dict()
        for prefix, logits in outs:
            losses.update(
                add_prefix(
                    self._output_losses(logits, data_samples, images),
                    prefix))
        if self.with_auxiliary_head:
            losses.update(self._auxiliary_head_forward_train(x, data_samples))
        return losses

    def _images(self, inputs: torch.Tensor) -> torch.Tensor:
        """The batch in pixel values (the preprocessor's channel order)."""
        dp = self.data_preprocessor
        if getattr(dp, '_enable_normalize', False):
            return inputs * dp.std + dp.mean
        return inputs

    def _output_losses(self, logits: torch.Tensor, data_samples: SampleList,
                       images: torch.Tensor) -> dict:
        """Decode-head and extra losses of one decoder output.

        The decode losses are taken at ``loss_resolution`` (``'labels'``:
        mmseg's own ``loss_by_feat``, pixel samplers included); each extra
        loss at its own ``resolution`` where it has one (e.g. OCR at the
        logits', a 16th of the pixels of a stride-4 head), else at
        ``loss_resolution``. Every loss reads its labels from the samples'
        ``gt_sem_seg`` - the one place a segmentor that makes its own labels
        (RRM) puts them - so no two losses can see different labels.

        Args:
            logits (Tensor): (B, C, h, w) decoder output.
            data_samples (list[SegDataSample]): the batch's samples.
            images (Tensor): (B, 3, H, W) the batch in pixel values.

        Returns:
            dict: the losses (and ``acc_seg``) by name.
        """
        label = torch.stack([ds.gt_sem_seg.data for ds in data_samples])
        views = dict()  # one resize per resolution, shared by the losses

        def view(resolution):
            if resolution not in views:
                views[resolution] = self._loss_view(
                    logits, label, images, data_samples, resolution)
            return views[resolution]

        if self.loss_resolution == 'labels':
            losses = self.decode_head.loss_by_feat(logits, data_samples)
        else:
            losses = self._decode_losses(*view('logits')[:2])
        for loss in self.extra_losses:
            lg, lb, im, valid = view(
                getattr(loss, 'resolution', None) or self.loss_resolution)
            value = loss(lg, lb, data_samples, images=im, valid_mask=valid)
            losses[loss.loss_name] = losses.get(loss.loss_name, 0) + value
        return losses

    def _loss_view(self, logits: torch.Tensor, label: torch.Tensor,
                   images: torch.Tensor, data_samples: SampleList,
                   resolution: str) -> tuple:
        """Logits, (B, h, w) labels, images and the valid-region mask at
        one resolution: ``'labels'`` (logits upsampled bilinearly, as mmseg)
        or ``'logits'`` (labels and images resized to the logits by
        nearest neighbour, as PIL does)."""
        if resolution == 'labels':
            logits = resize(logits, size=label.shape[-2:], mode='bilinear',
                            align_corners=self.decode_head.align_corners)
        else:
            label = F.interpolate(label.float(), size=logits.shape[-2:],
                                  mode='nearest-exact').long()
        label = label.squeeze(1)
        size = logits.shape[-2:]
        input_size = images.shape[-2:]
        if input_size != size:
            images = F.interpolate(images, size=size, mode='nearest-exact')
        valid = valid_region_mask(data_samples, input_size, size,
                                  logits.device)
        return logits, label, images, valid

    def _decode_losses(self, logits: torch.Tensor,
                       label: torch.Tensor) -> dict:
        """The decode head's losses and accuracy on logits and labels of
        one size (mmseg's ``loss_by_feat`` after its resize)."""
        head = self.decode_head
        losses = dict()
        decode = head.loss_decode if isinstance(
            head.loss_decode, nn.ModuleList) else [head.loss_decode]
        for loss in decode:
            value = loss(logits, label, weight=None,
                         ignore_index=head.ignore_index)
            losses[loss.loss_name] = losses.get(loss.loss_name, 0) + value
        losses['acc_seg'] = accuracy(
            logits, label, ignore_index=head.ignore_index)
        return losses
