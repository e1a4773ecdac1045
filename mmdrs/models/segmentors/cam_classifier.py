"""A multi-label classifier whose predictions are CAM segmentations."""
from typing import List, Optional

import torch
import torch.nn.functional as F
from mmengine.structures import PixelData
from mmseg.models.segmentors.base import BaseSegmentor
from mmseg.registry import MODELS
from mmseg.utils import OptSampleList, SampleList

from ..utils.cam import (cams_to_seg_logits, channel_argmax,
                         normalize_cams, stack_image_labels)


@MODELS.register_module()
class CAMClassifier(BaseSegmentor):
    """Image-level-label classifier that predicts segmentations from CAMs.

    * ``loss`` mode: backbone (e.g. a :class:`DRSBackbone`) -> CAM head ->
      multi-label soft-margin loss against ``data_sample.gt_img_labels``.
    * ``predict`` mode: the normalised CAMs (see
      :func:`~mmdrs.models.utils.normalize_cams`) of the image-label classes
      plus a constant background score ``bg_score`` form ``seg_logits`` of
      shape (1 + K, H, W) at the original image size, and ``pred_sem_seg`` is
      their argmax - so mmseg's ``IoUMetric`` measures CAM quality directly
      and :class:`~mmdrs.evaluation.CAMIoUMetric` sweeps the threshold.
      ``pred_img_logits`` (K,) carries the classification logits. As in the
      DRS authors' code, each pass's class maps are upsampled *straight* from
      the feature map to the output size (``align_corners=True``), then
      normalised by their maximum, and the passes are max-fused.

    Args:
        backbone (dict): Backbone config.
        cam_head (dict): :class:`MultiLabelCAMHead` config.
        data_preprocessor (dict, optional): ``SegDataPreProcessor`` config.
        train_cfg (dict, optional): Unused; kept for mmseg compatibility.
        test_cfg (dict, optional): ``bg_score`` (float, default 0.25),
            ``use_gt_labels`` (bool, default True: keep only the classes of
            the ground-truth image label, the WSSS convention; False keeps
            the classes with positive mean logits), ``scales`` (square sizes
            the input is resized to, e.g. the paper's (256, 320, 384) on a
            320x320 input; default None = the input size alone) and ``flip``
            (bool, default False: add horizontally flipped passes, batched
            with the originals). Each pass is normalised separately and the
            passes are fused by element-wise max (the paper's inference).
            ``normalize`` (bool, default True): divide each pass's maps by
            their maximum; False keeps the ReLU'd values (the authors' use of
            refined maps). ``align_corners`` (bool, default True, the
            authors'): of the upsampling of class maps. ``out_size`` ((H, W),
            default None = each image's original size): a fixed output size
            (map generation's ``--out-size``, e.g. the authors' 320x320
            refinement targets).
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 backbone: dict,
                 cam_head: dict,
                 data_preprocessor: Optional[dict] = None,
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.cam_head = MODELS.build(cam_head)
        self.num_classes = self.cam_head.num_classes
        self.train_cfg = train_cfg or {}
        self.test_cfg = dict(
            bg_score=0.25, use_gt_labels=True, scales=None, flip=False,
            normalize=True, align_corners=True, out_size=None)
        self.test_cfg.update(test_cfg or {})
        self.align_corners = False

    def extract_feat(self, inputs: torch.Tensor):
        """Backbone features."""
        return self.backbone(inputs)

    def class_maps(self, inputs: torch.Tensor) -> torch.Tensor:
        """Raw class maps (B, K, h, w) before global pooling."""
        return self.cam_head(self.extract_feat(inputs))

    def encode_decode(self, inputs: torch.Tensor,
                      batch_img_metas: List[dict]) -> torch.Tensor:
        """Seg logits at input size, all classes kept (no labels known)."""
        cams, _ = self.multiscale_cams(inputs)
        return cams_to_seg_logits(cams, self.test_cfg['bg_score'])

    def _forward(self, inputs: torch.Tensor,
                 data_samples: OptSampleList = None) -> torch.Tensor:
        return self.class_maps(inputs)

    def loss(self, inputs: torch.Tensor, data_samples: SampleList) -> dict:
        labels = stack_image_labels(data_samples, self.num_classes,
                                    inputs.device)
        return self.cam_head.loss(self.class_maps(inputs), labels)

    def class_map_passes(self, inputs: torch.Tensor):
        """Raw class maps of every test pass (``test_cfg`` scales x flips).

        Flipped passes run batched with the originals and are flipped back.

        Returns:
            tuple: a list of raw maps (B, K, h_s, w_s), one per pass, and the
            image logits (B, K) averaged over the passes.
        """
        flip = self.test_cfg['flip']
        passes, logits = [], []
        for scale in self.test_cfg['scales'] or [None]:
            x = inputs if scale is None else F.interpolate(
                inputs, size=(scale, scale), mode='bilinear',
                align_corners=False)
            if flip:  # one batched pass for the image and its mirror
                x = torch.cat([x, x.flip(-1)])
            maps = self.class_maps(x)
            if flip:
                plain, mirrored = maps.chunk(2)
                maps = [plain, mirrored.flip(-1)]
            else:
                maps = [maps]
            for m in maps:
                logits.append(self.cam_head.logits(m))
                passes.append(m)
        return passes, torch.stack(logits).mean(0)

    def fuse_passes(self, passes, size, channels=None) -> torch.Tensor:
        """Upsample each pass straight to ``size`` and max-fuse the passes.

        With ``test_cfg.normalize`` (CAMs) each pass is ReLU'd, upsampled and
        divided by its maximum (:func:`normalize_cams`); without (refined
        maps) it is upsampled raw and its negatives clipped.

        Args:
            passes (list[Tensor]): Raw maps (B, K, h, w) per pass.
            size (tuple): Output (H, W).
            channels (Tensor, optional): Only these class channels.

        Returns:
            Tensor: (B, K or len(channels), H, W), >= 0.
        """
        fused = None
        for m in passes:
            if channels is not None:
                m = m[:, channels]
            if self.test_cfg['normalize']:
                cams = normalize_cams(
                    m, size, align_corners=self.test_cfg['align_corners'])
            else:  # raw values, upsampled, then the fusion starting from
                # zero removes the negatives (the authors' refined maps)
                cams = F.interpolate(
                    m, size=size, mode='bilinear',
                    align_corners=self.test_cfg['align_corners']).clamp(min=0)
            fused = cams if fused is None else torch.maximum(fused, cams)
        return fused

    def multiscale_cams(self, inputs: torch.Tensor):
        """Max-fused CAMs over ``test_cfg`` scales and flips at input size.

        Returns:
            tuple: CAMs (B, K, H, W) at the input size, all classes kept,
            and the image logits (B, K) averaged over the passes.
        """
        passes, logits = self.class_map_passes(inputs)
        return self.fuse_passes(passes, inputs.shape[-2:]), logits

    def _image_cams(self, passes, i: int, keep: torch.Tensor, meta: dict,
                    input_size) -> torch.Tensor:
        """One image's fused maps of the classes ``keep`` at its output size
        (``test_cfg.out_size`` or ``ori_shape``), upsampled straight from the
        feature maps; batch padding is cropped off and a test-time flip
        (mmseg TTA) undone."""
        out_h, out_w = self.test_cfg['out_size'] or meta['ori_shape'][:2]
        left, right, top, bottom = meta.get(
            'img_padding_size', meta.get('padding_size', None) or [0] * 4)
        in_h, in_w = input_size
        vh, vw = in_h - top - bottom, in_w - left - right
        # the padded canvas at output scale, then the image's part of it
        canvas = (round(out_h * in_h / vh), round(out_w * in_w / vw))
        y0, x0 = round(top * out_h / vh), round(left * out_w / vw)
        cams = self.fuse_passes([p[i:i + 1] for p in passes], canvas,
                                keep)[0, :, y0:y0 + out_h, x0:x0 + out_w]
        if meta.get('flip', None):
            direction = meta.get('flip_direction', None)
            assert direction in ['horizontal', 'vertical']
            cams = cams.flip(dims=(2, ) if direction == 'horizontal' else
                             (1, ))
        return cams

    def predict(self,
                inputs: torch.Tensor,
                data_samples: OptSampleList = None) -> SampleList:
        passes, logits = self.class_map_passes(inputs)
        if self.test_cfg['use_gt_labels'] and data_samples is not None:
            labels = stack_image_labels(data_samples, self.num_classes,
                                        inputs.device)
        else:
            labels = (logits > 0).float()
        if data_samples is None:
            cams = self.fuse_passes(passes, inputs.shape[-2:])
            cams = cams * labels[:, :, None, None]
            data_samples = self.postprocess_result(
                cams_to_seg_logits(cams, self.test_cfg['bg_score']))
        else:
            # only the image's own classes are upsampled (the other maps are
            # zero), straight to the output size, and arg-maxed with the
            # background score
            for i, ds in enumerate(data_samples):
                keep = torch.nonzero(labels[i] > 0).flatten()
                cams = self._image_cams(passes, i, keep, ds.metainfo,
                                        inputs.shape[-2:])
                part = torch.cat([
                    cams.new_full((1, *cams.shape[1:]),
                                  self.test_cfg['bg_score']), cams
                ])
                full = part.new_zeros((self.num_classes + 1,
                                       *part.shape[1:]))
                full[0] = part[0]
                full[keep + 1] = part[1:]
                ds.seg_logits = PixelData(data=full)
                ds.pred_sem_seg = PixelData(data=torch.cat(
                    [keep.new_zeros(1), keep + 1])[channel_argmax(part)][None])
        for ds, lg in zip(data_samples, logits):
            ds.pred_img_logits = lg
        return data_samples
