"""Losses, one per file, registered in mmseg's ``MODELS``.

Two kinds live here:

* ordinary mmseg decode-head losses (``loss_decode`` entries), called as
  ``loss(seg_logits, seg_label, weight=None, ignore_index=255)``;
* **extra losses** of :class:`~mmdrs.models.WSSSEncoderDecoder`
  (``extra_losses=[...]``), which need more than logits and labels - the
  image-level tags, the image itself, the padding. They are called as::

      loss(seg_logits,    # (B, C, h, w) logits at the loss resolution
           seg_label,     # (B, h, w) int64 labels there, 255 = ignore
           data_samples,  # mmseg SegDataSamples: metainfo, gt_img_labels
           images=...,    # (B, 3, h, w) float pixel values 0-255, in
                          # the data preprocessor's channel order (RGB
                          # unless bgr_to_rgb=False); padding holds the
                          # preprocessor's pad value (mean colour)
           valid_mask=...)  # (B, h, w) bool, False on the batch padding

  and return a scalar tensor already multiplied by their ``loss_weight``;
  their ``loss_name`` property (``'loss_xxx'``) names the log entry. They
  accept and ignore keyword arguments they do not use. An optional
  ``resolution`` attribute (``'logits'`` or ``'labels'``) picks the loss
  resolution for that loss alone; without it, the segmentor's
  ``loss_resolution`` holds.
"""
from .bg_fg_balanced_ce_loss import BgFgBalancedCELoss
from .dense_energy_loss import DenseEnergyLoss, dense_energy
from .out_of_candidate_loss import OutOfCandidateLoss
from .self_training_loss import SelfTrainingLoss, image_tags

__all__ = [
    'OutOfCandidateLoss', 'SelfTrainingLoss', 'image_tags',
    'BgFgBalancedCELoss', 'DenseEnergyLoss', 'dense_energy'
]
