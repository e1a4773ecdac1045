"""Online accumulation of localization maps during training (OAA style)."""
import os
import os.path as osp
from typing import Dict, Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.dist import all_gather_object, get_dist_info
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmseg.registry import HOOKS

from ...fileio.cam_maps import save_cam_maps


@HOOKS.register_module()
class OnlineMapAccumulationHook(Hook):
    """Accumulate each training image's maps over the epochs by maximum.

    Group-WSSS's maps (as OAA's) come from training, not from a separate
    inference: at every step, for the group anchors' (or all members')
    image-label classes, the map ``ReLU((h + x) / 2)`` (graph states and
    raw class maps, recorded by :class:`GroupCAMClassifier`) is scaled to
    0-255 by its maximum and merged into the image's accumulated map by
    element-wise maximum. The authors' rules:

    * from epoch ``start_epoch`` on (0-based; the authors' 1);
    * a class's map is merged only when its post-graph probability
      ``sigmoid(logit)`` is >= ``prob_threshold`` (0.1);
    * in the last epoch, a class that has no map yet gets one whatever its
      probability.

    Unlike the authors (PNG files named by dataloader index, re-read every
    step), the maps are kept in memory keyed by **image id**, gathered over
    the ranks after training (merged by maximum) and written once by rank 0
    to ``out_dir`` in the mmdrs map format (one ``.npz`` per image, see
    :mod:`mmdrs.fileio.cam_maps`), upsampled (bilinear) to each image's
    original size, so ``tools/analysis/eval_maps.py`` and the pseudo-label
    tools read them. A horizontal flip of the training pipeline is undone;
    a crop cannot be, so use a pipeline that resizes the whole image (the
    authors' squash to 256x256).

    Args:
        out_dir (str, optional): Output folder; None = ``<work_dir>/
            accumulated_maps``.
        start_epoch (int): First epoch (0-based) that accumulates.
            Defaults to 1.
        prob_threshold (float): Minimum class probability of a merge.
            Defaults to 0.1.
        members (str): ``'anchor'`` (the authors') or ``'all'`` group
            members. Defaults to ``'anchor'``.
    """

    priority = 'LOW'

    def __init__(self,
                 out_dir: Optional[str] = None,
                 start_epoch: int = 1,
                 prob_threshold: float = 0.1,
                 members: str = 'anchor'):
        if members not in ('anchor', 'all'):
            raise ValueError(f"OnlineMapAccumulationHook: members must be "
                             f"'anchor' or 'all', got {members!r}")
        self.out_dir = out_dir
        self.start_epoch = start_epoch
        self.prob_threshold = prob_threshold
        self.members = members
        # image id -> (ori_shape, img_path, {class: uint8 (h, w)})
        self.maps: Dict[str, Tuple[tuple, str, Dict[int, np.ndarray]]] = {}

    @staticmethod
    def _model(runner):
        model = runner.model
        return model.module if is_model_wrapper(model) else model

    def before_train(self, runner) -> None:
        model = self._model(runner)
        if not hasattr(model, 'record_group_maps'):
            raise TypeError(
                'OnlineMapAccumulationHook needs a model that records its '
                f'training maps (GroupCAMClassifier), got {type(model)}')
        model.record_group_maps = True
        self.maps = {}

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        model = self._model(runner)
        rec, model.recorded = model.recorded, None
        if rec is None or runner.epoch < self.start_epoch:
            return
        self.accumulate(rec['maps'], rec['logits'], rec['data_samples'],
                        last_epoch=runner.epoch == runner.max_epochs - 1)

    def accumulate(self, maps: torch.Tensor, logits: torch.Tensor,
                   data_samples, last_epoch: bool) -> None:
        """Merge one step's maps (N, K, h, w) into the accumulated ones."""
        probs = torch.sigmoid(logits.float()).cpu()
        maps = F.relu(maps.float()).cpu()
        for i, ds in enumerate(data_samples):
            if (self.members == 'anchor'
                    and ds.metainfo.get('group_member', 0) != 0):
                continue
            path = ds.metainfo['img_path']
            img_id = osp.splitext(osp.basename(path))[0]
            entry = self.maps.setdefault(
                img_id, (tuple(ds.metainfo['ori_shape'][:2]), path, {}))
            m = maps[i]
            if ds.metainfo.get('flip', False):
                if ds.metainfo.get('flip_direction') != 'horizontal':
                    raise ValueError('OnlineMapAccumulationHook: only a '
                                     'horizontal flip can be undone')
                m = m.flip(-1)
            for c in torch.nonzero(ds.gt_img_labels).flatten().tolist():
                a = m[c]
                a = torch.round(a / (a.max() + 1e-8) * 255).to(
                    torch.uint8).numpy()
                known = entry[2].get(c)
                if known is None and last_epoch:
                    entry[2][c] = a
                    continue
                if probs[i, c] < self.prob_threshold:
                    continue
                entry[2][c] = a if known is None else np.maximum(known, a)

    def after_train(self, runner) -> None:
        rank, world = get_dist_info()
        merged = self.maps
        if world > 1:
            merged = {}
            for part in all_gather_object(self.maps):
                for img_id, (shape, path, cls_maps) in part.items():
                    entry = merged.setdefault(img_id, (shape, path, {}))
                    for c, a in cls_maps.items():
                        old = entry[2].get(c)
                        entry[2][c] = a if old is None else np.maximum(old, a)
        if rank != 0:
            return
        out_dir = self.out_dir or osp.join(runner.work_dir,
                                           'accumulated_maps')
        os.makedirs(out_dir, exist_ok=True)
        classes = self._classes(runner)
        written = 0
        for img_id, (shape, _, cls_maps) in sorted(merged.items()):
            labels = sorted(cls_maps)
            if not labels:
                continue
            small = torch.from_numpy(
                np.stack([cls_maps[c] for c in labels])).float()[None]
            big = F.interpolate(small, size=shape, mode='bilinear',
                                align_corners=False)[0] / 255
            save_cam_maps(osp.join(out_dir, f'{img_id}.npz'), big, labels,
                          classes)
            written += 1
        print_log(
            f'OnlineMapAccumulationHook: wrote {written} accumulated maps '
            f'to {out_dir}', logger='current')

    @staticmethod
    def _classes(runner):
        dataset = runner.train_dataloader.dataset
        meta = getattr(dataset, 'metainfo', None) or {}
        classes = meta.get('classes')
        if classes is None:
            raise KeyError('OnlineMapAccumulationHook: the training dataset '
                           'has no metainfo classes')
        return list(classes)[1:]  # the foreground classes
