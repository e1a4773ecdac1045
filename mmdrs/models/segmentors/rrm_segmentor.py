"""RRM's one-step segmentor (Zhang et al., AAAI 2020)."""
from typing import List, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.logging import MessageHub
from mmengine.structures import PixelData
from mmseg.registry import MODELS, TASK_UTILS
from mmseg.utils import SampleList, add_prefix

from ..utils.cam import normalize_cams, stack_image_labels
from .wsss_encoder_decoder import WSSSEncoderDecoder, valid_region_mask


@MODELS.register_module()
class RRMSegmentor(WSSSEncoderDecoder):
    """Classification and segmentation branches on one backbone, trained
    together from image-level labels ("Reliability Does Matter").

    Each training step:

    1. the backbone runs on the crop; the CAM head (1x1 classifier without
       bias, :class:`~mmdrs.models.MultiLabelCAMHead` with ``num_convs=0``)
       gives the classification loss on the dropout-ed feature (multi-label
       soft margin over the image tags, ``gt_img_labels``);
    2. the CAMs - ReLU of the classifier on the feature without dropout -
       of the crop and of its copies resized by ``cam_scales`` (no
       gradient) are resized to the crop's feature size and **averaged**,
       upsampled to the crop (bilinear, ``align_corners=False``), zeroed
       for absent classes and divided by their maxima;
    3. ``labeler`` (:class:`~mmdrs.models.utils.ReliableRegionLabeler`)
       turns them into reliable labels (255 = unsure, also on the batch
       padding);
    4. the decode head (the segmentation branch, e.g.
       :class:`~mmdrs.models.RRMHead` with
       :class:`~mmdrs.models.losses.BgFgBalancedCELoss`) is trained on
       these labels, with ``extra_losses`` (e.g.
       :class:`~mmdrs.models.losses.DenseEnergyLoss`) as in
       :class:`WSSSEncoderDecoder`.

    Prediction is mmseg's: the segmentation branch alone.

    Args:
        cam_head (dict): CAM head config.
        labeler (dict): ``TASK_UTILS`` config of the labeler.
        cam_scales (Sequence[float]): Extra input scales of the CAM, as the
            authors (0.5, 1.5, 2.0); () = the crop alone.
        cam_dropout (float): Dropout2d before the classifier's pooling
            (the authors' 0.5).
        cam_in_index (int): Backbone output of the CAM head. Defaults to -1.
        cls_only_iters (int): Training iterations (the runner's, from
            mmengine's message hub) with the classification loss alone
            before the joint loss starts, as the authors' ImageNet recipe
            (half of the steps). Defaults to 0.
        **kwargs: :class:`WSSSEncoderDecoder` arguments (``backbone``,
            ``decode_head``, ``extra_losses``, ``data_preprocessor`` ...).
    """

    def __init__(self,
                 cam_head: dict,
                 labeler: dict,
                 cam_scales: Sequence[float] = (0.5, 1.5, 2.0),
                 cam_dropout: float = 0.5,
                 cam_in_index: int = -1,
                 cls_only_iters: int = 0,
                 **kwargs):
        super().__init__(**kwargs)
        self.cam_head = MODELS.build(cam_head)
        self.num_fg_classes = self.cam_head.num_classes
        if self.decode_head.num_classes != self.num_fg_classes + 1:
            raise ValueError(
                f'RRMSegmentor: decode_head.num_classes '
                f'({self.decode_head.num_classes}) must be cam_head.'
                f'num_classes ({self.num_fg_classes}) + 1 (background)')
        self.labeler = TASK_UTILS.build(labeler)
        self.cam_scales = tuple(cam_scales)
        self.cam_dropout = nn.Dropout2d(cam_dropout)
        self.cam_in_index = cam_in_index
        self.cls_only_iters = cls_only_iters
        self._calls = 0  # iteration count without a runner

    def _iteration(self) -> int:
        hub = MessageHub.get_current_instance()
        it = hub.get_info('iter', None)
        return self._calls if it is None else int(it)

    def _cam(self, feats) -> torch.Tensor:
        return F.relu(self.cam_head(feats[self.cam_in_index]))

    @torch.no_grad()
    def multiscale_cam(self, inputs: torch.Tensor,
                       cam: torch.Tensor) -> torch.Tensor:
        """Mean of ``cam`` (the crop's) and the CAMs of the resized crops,
        at ``cam``'s size."""
        h, w = inputs.shape[-2:]
        cams = [cam.detach()]
        for s in self.cam_scales:
            x = F.interpolate(inputs, size=(int(h * s), int(w * s)),
                              mode='bilinear', align_corners=False)
            c = self._cam(self.extract_feat(x))
            cams.append(F.interpolate(c, size=cam.shape[-2:],
                                      mode='bilinear', align_corners=False))
        return torch.stack(cams).mean(0)

    def reliable_labels(self, inputs: torch.Tensor, cam: torch.Tensor,
                        tags: torch.Tensor,
                        data_samples: SampleList) -> torch.Tensor:
        """(B, H, W) reliable labels of the crop (255 = unsure/padding)."""
        size = inputs.shape[-2:]
        ncam = normalize_cams(self.multiscale_cam(inputs, cam), size,
                              labels=tags, align_corners=False)
        labels = self.labeler(ncam, self._images(inputs).detach(), tags)
        valid = valid_region_mask(data_samples, size, size, inputs.device)
        return torch.where(valid, labels, torch.full_like(labels, 255))

    def loss(self, inputs: torch.Tensor, data_samples: SampleList) -> dict:
        tags = stack_image_labels(data_samples, self.num_fg_classes,
                                  inputs.device)
        x = self.extract_feat(inputs)
        feat = x[self.cam_in_index]
        losses = self.cam_head.loss(
            self.cam_head(self.cam_dropout(feat)), tags)
        it, self._calls = self._iteration(), self._calls + 1
        if it < self.cls_only_iters:
            # the segmentation branch takes part (zero loss) so every
            # parameter gets a gradient, as DDP requires
            losses['decode.loss_ce'] = self.decode_head.forward(x).sum() * 0
            return losses
        cam = F.relu(self.cam_head(feat))
        label = self.reliable_labels(inputs, cam, tags, data_samples)
        # the reliable labels replace the masks the pipeline loaded (for
        # the image tags) in the samples, where every loss reads its labels
        # (the decode and extra losses, the auxiliary head): no mask pixel
        # may reach a loss
        for ds, lab in zip(data_samples, label):
            ds.gt_sem_seg = PixelData(data=lab[None])
        logits = self.decode_head.forward(x)
        decode = self._output_losses(logits, data_samples,
                                     self._images(inputs))
        losses.update(add_prefix(decode, 'decode'))
        losses['reliable_pct'] = (label != 255).float().mean() * 100
        if self.with_auxiliary_head:
            losses.update(self._auxiliary_head_forward_train(x, data_samples))
        return losses

    def predict_cams(self, inputs: torch.Tensor,
                     data_samples: Optional[SampleList] = None
                     ) -> List[torch.Tensor]:
        """Normalised multi-scale CAMs (B, K, H, W) of a batch (eval mode),
        for inspecting the classification branch."""
        cam = self._cam(self.extract_feat(inputs))
        tags = None if data_samples is None else stack_image_labels(
            data_samples, self.num_fg_classes, inputs.device)
        return normalize_cams(self.multiscale_cam(inputs, cam),
                              inputs.shape[-2:], labels=tags,
                              align_corners=False)
