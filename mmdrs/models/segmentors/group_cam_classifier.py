"""Group-WSSS: a CAM classifier trained on groups through a graph."""
from typing import Optional

import torch
import torch.nn.functional as F
from mmseg.registry import MODELS
from mmseg.utils import SampleList

from ..utils.cam import stack_image_labels
from .cam_classifier import CAMClassifier

TEST_GRAPH_MODES = ('self', 'none')


@MODELS.register_module()
class GroupCAMClassifier(CAMClassifier):
    """Group-wise semantic mining (Li et al., AAAI 2021) on a CAM classifier.

    **Training** takes batches of whole groups (:class:`LabelGroupSampler`
    + :func:`group_collate`): the backbone (plain or a
    :class:`DRSBackbone`) and CAM head give each image's class maps ``x``,
    the graph ``neck`` (:class:`GroupGraphNeck`) turns a group's maps into
    the states ``h``, and the loss weights the multi-label soft-margin loss
    of the pre-graph logits GAP(x) and of the post-graph logits GAP(h) as
    the authors do::

        loss = (pre_graph_weight * MLSM(GAP(x)) + post_graph_weight *
                MLSM(GAP(h))) / 2

    with MLSM averaged over the batch's images; for one group of 3 this is
    the authors' ``[0.4 sum_i MLSM(pre_i) + sum_i MLSM(post_i)] / 6``. Both
    terms are logged (``loss_cls_pre``, ``loss_cls_post``; their sum is the
    loss).

    **Test time (single images)**: the authors have no single-image
    inference (their maps are accumulated online during training, see
    :class:`OnlineMapAccumulationHook`). Here ``test_cfg.graph`` decides
    what a lone image's class maps are, and every inherited tool (mmseg
    ``predict``, multi-scale/flip passes, ``tools/generate_maps.py``) uses
    them:

    * ``'self'`` (default): the image forms a group of ``group_size``
      copies of itself, the graph runs with deterministic graph dropout
      (see :class:`GraphDropout`'s ``eval_mode``) - the messages are then
      the image's co-attention with itself - and the maps are ``(h + x) /
      2``, the authors' accumulated map form;
    * ``'none'``: the graph is skipped; the maps are the CAM head's ``x``
      (the graph only shaped the training).

    Args:
        backbone (dict): Backbone config (e.g. a :class:`DRSBackbone`).
        cam_head (dict): :class:`MultiLabelCAMHead` config.
        neck (dict): :class:`GroupGraphNeck` config; its ``channels``, when
            given, must be the head's ``num_classes`` (left out, it is set
            to it).
        pre_graph_weight (float): Weight of the pre-graph loss. Defaults to
            0.4 (the authors').
        post_graph_weight (float): Weight of the post-graph loss. Defaults
            to 1.0.
        data_preprocessor, train_cfg, init_cfg: As :class:`CAMClassifier`.
        test_cfg (dict, optional): :class:`CAMClassifier`'s keys plus
            ``graph`` (``'self'`` or ``'none'``).
    """

    def __init__(self,
                 backbone: dict,
                 cam_head: dict,
                 neck: dict,
                 pre_graph_weight: float = 0.4,
                 post_graph_weight: float = 1.0,
                 data_preprocessor: Optional[dict] = None,
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        test_cfg = dict(dict(graph='self'), **(test_cfg or {}))
        if test_cfg['graph'] not in TEST_GRAPH_MODES:
            raise ValueError(f'GroupCAMClassifier: test_cfg.graph must be '
                             f'one of {TEST_GRAPH_MODES}, got '
                             f'{test_cfg["graph"]!r}')
        super().__init__(
            backbone=backbone,
            cam_head=cam_head,
            data_preprocessor=data_preprocessor,
            train_cfg=train_cfg,
            test_cfg=test_cfg,
            init_cfg=init_cfg)
        neck = dict(neck)
        if neck.get('channels') is None:  # sized by the head's classes
            neck['channels'] = self.num_classes
        self.neck = MODELS.build(neck)
        if self.neck.channels != self.num_classes:
            raise ValueError(
                f'GroupCAMClassifier: neck.channels ({self.neck.channels}) '
                f'must equal cam_head.num_classes ({self.num_classes}): the '
                'graph runs on the class maps')
        self.group_size = self.neck.group_size
        self.pre_graph_weight = pre_graph_weight
        self.post_graph_weight = post_graph_weight
        # set by OnlineMapAccumulationHook: keep each training step's maps
        self.record_group_maps = False
        self.recorded = None

    def _check_groups(self, n: int, data_samples: SampleList) -> None:
        g = self.group_size
        for ds in data_samples:
            got = ds.metainfo.get('group_size', g)
            if got != g:
                raise ValueError(
                    f'GroupCAMClassifier: the batch holds groups of {got} '
                    f'(group_collate) but the graph expects {g} '
                    '(neck.group_size)')
        if n % g:
            raise ValueError(
                f'GroupCAMClassifier: a training batch of {n} images is not '
                f'a whole number of groups of {g}; train with '
                f"sampler=dict(type='LabelGroupSampler', group_size={g}) and "
                f"collate_fn=dict(type='group_collate', group_size={g})")

    def group_forward(self, inputs: torch.Tensor):
        """Class maps ``x`` and graph states ``h`` of whole groups, both
        (B * G, K, h, w)."""
        x = self.cam_head(self.extract_feat(inputs))
        return x, self.neck(x)

    def loss(self, inputs: torch.Tensor, data_samples: SampleList) -> dict:
        self._check_groups(inputs.shape[0], data_samples)
        labels = stack_image_labels(data_samples, self.num_classes,
                                    inputs.device)
        x, h = self.group_forward(inputs)
        pre = self.cam_head.logits(x)
        post = self.neck.logits(h)
        target = labels.to(pre.dtype)
        loss_pre = F.multilabel_soft_margin_loss(pre, target)
        loss_post = F.multilabel_soft_margin_loss(post, target)
        if self.record_group_maps:
            self.recorded = dict(
                maps=((h + x) / 2).detach(),
                logits=post.detach(),
                data_samples=data_samples)
        with torch.no_grad():
            acc_pre = ((pre > 0) == (labels > 0)).float().mean() * 100
            acc = ((post > 0) == (labels > 0)).float().mean() * 100
        return dict(
            loss_cls_pre=loss_pre * self.pre_graph_weight / 2,
            loss_cls_post=loss_post * self.post_graph_weight / 2,
            acc_cls_pre=acc_pre,
            acc_cls=acc)

    def class_maps(self, inputs: torch.Tensor) -> torch.Tensor:
        """Single-image class maps (B, K, h, w) per ``test_cfg.graph``."""
        x = self.cam_head(self.extract_feat(inputs))
        if self.test_cfg['graph'] == 'none':
            return x
        g = self.group_size
        h = self.neck(x.repeat_interleave(g, dim=0))
        if self.neck.graph_dropout is not None and (
                self.training or
                self.neck.graph_dropout.eval_mode == 'stochastic'):
            # copies may differ through random dropout: average the nodes
            h = h.view(x.shape[0], g, *x.shape[1:]).mean(1)
        else:  # identical copies give identical states
            h = h[::g]
        return (h + x) / 2
