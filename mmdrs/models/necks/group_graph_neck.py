"""Group-WSSS's graph over a group of images' class maps."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmseg.registry import MODELS

from ..layers.conv_gru import ConvGRUCell

AGGREGATIONS = ('concat', 'mean')


@MODELS.register_module()
class GroupGraphNeck(BaseModule):
    """Co-attention message passing between the images of a group.

    The nodes are the ``group_size`` images of a group, their states the
    class maps (``channels`` = number of classes, as the authors' 20-channel
    graph on VOC), initialised with the CAM head's raw maps ``x``. Each of
    ``num_rounds`` rounds, for every ordered pair (sender q, receiver e):

    * **co-attention**: ``P(v | u) = softmax_v <A e[:, u], B q[:, v]>``
      (A, B: 1x1 convs to ``proj_channels`` with bias) and the message
      ``m[:, u] = sum_v P(v | u) q[:, v]``, an attention-weighted average of
      the sender's raw state;
    * **gate**: ``m * sigmoid(g(m))`` (g: 1x1 conv to 1 channel, no bias);
    * **fusion**: the messages a node receives are combined by a 3x3 conv
      with bias and no activation, shared by all nodes: ``'concat'`` (the
      authors') concatenates the other nodes' messages in group order
      ((G-1) * C -> C), ``'mean'`` averages them (C -> C);
    * **update**: ``h <- GraphDropout(ConvGRU(fused, h))`` (1x1 kernels).

    All messages of a round are computed from the states before the round
    (synchronous update). The output is the states after the last round.

    **Group order.** ``'mean'`` is equivariant to any permutation of the
    group. ``'concat'`` is not: a receiver's fusion weights depend on the
    slot of each sender (the authors' network, where the anchor is node 0);
    it is equivariant only when the fusion weights of all slots are equal.

    Args:
        channels (int): Node channels (the classes). Defaults to 20.
        group_size (int): Nodes per group. Defaults to 3.
        num_rounds (int): Message-passing rounds. Defaults to 3.
        proj_channels (int, optional): Co-attention projection channels;
            None = ``channels // 2`` (the authors').
        aggregation (str): ``'concat'`` or ``'mean'``. Defaults to
            ``'concat'``.
        gru_kernel_size (int): ConvGRU kernel. Defaults to 1.
        graph_dropout (dict, optional): :class:`GraphDropout` config; None
            disables it. Defaults to the authors' rate 0.8, threshold 0.7.
        init_std (float): Std of the normal init of every conv weight (the
            authors' 0.01; biases keep PyTorch's default). Defaults to 0.01.
        init_cfg (dict, optional): Overrides the init above.
    """

    def __init__(self,
                 channels: int = 20,
                 group_size: int = 3,
                 num_rounds: int = 3,
                 proj_channels: int = None,
                 aggregation: str = 'concat',
                 gru_kernel_size: int = 1,
                 graph_dropout: dict = dict(
                     type='GraphDropout', drop_rate=0.8, drop_threshold=0.7),
                 init_std: float = 0.01,
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        if aggregation not in AGGREGATIONS:
            raise ValueError(f'GroupGraphNeck: aggregation must be one of '
                             f'{AGGREGATIONS}, got {aggregation!r}')
        if group_size < 2:
            raise ValueError(f'GroupGraphNeck: group_size must be >= 2 (a '
                             f'graph needs neighbours), got {group_size}')
        self.channels = channels
        self.group_size = group_size
        self.num_rounds = num_rounds
        self.aggregation = aggregation
        self.init_std = init_std
        d = proj_channels or max(1, channels // 2)
        self.proj_receiver = nn.Conv2d(channels, d, 1)
        self.proj_sender = nn.Conv2d(channels, d, 1)
        self.gate = nn.Conv2d(channels, 1, 1, bias=False)
        fused_in = channels * (group_size - 1 if aggregation == 'concat'
                               else 1)
        self.fusion = nn.Conv2d(fused_in, channels, 3, padding=1)
        self.gru = ConvGRUCell(channels, channels, gru_kernel_size)
        self.graph_dropout = (MODELS.build(graph_dropout)
                              if graph_dropout is not None else None)

    def init_weights(self) -> None:
        if self.init_cfg is not None:
            return super().init_weights()
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.normal_(m.weight, 0, self.init_std)
        self._is_init = True

    def messages(self, h: torch.Tensor) -> torch.Tensor:
        """Gated co-attention messages between all nodes of each group.

        Args:
            h (Tensor): States (B, G, C, H, W) of B groups.

        Returns:
            Tensor: (B, G, G, C, H, W); ``[:, e, q]`` is the message from
            sender q to receiver e (the diagonal is a node's own, unused).
        """
        b, g, c, hh, ww = h.shape
        flat = h.flatten(0, 1)
        recv = self.proj_receiver(flat).view(b, g, -1, hh * ww)
        send = self.proj_sender(flat).view(b, g, -1, hh * ww)
        affinity = torch.einsum('bedu,bqdv->bequv', recv, send)
        weights = affinity.softmax(dim=-1)  # over the sender's positions
        raw = h.view(b, g, c, hh * ww)
        msg = torch.einsum('bequv,bqcv->beqcu', weights, raw)
        msg = msg.reshape(b * g * g, c, hh, ww)
        msg = msg * torch.sigmoid(self.gate(msg))
        return msg.view(b, g, g, c, hh, ww)

    def aggregate(self, msg: torch.Tensor) -> torch.Tensor:
        """Fuse each node's incoming messages: (B, G, G, C, H, W) ->
        (B * G, C, H, W)."""
        b, g, _, c, hh, ww = msg.shape
        others = ~torch.eye(g, dtype=torch.bool, device=msg.device)
        incoming = msg[:, others].view(b, g, g - 1, c, hh, ww)
        if self.aggregation == 'concat':
            x = incoming.reshape(b * g, (g - 1) * c, hh, ww)
        else:
            x = incoming.mean(dim=2).reshape(b * g, c, hh, ww)
        return self.fusion(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Graph states after ``num_rounds`` rounds.

        Args:
            x (Tensor): Class maps (B * G, C, H, W) of B whole groups, one
                group after the other.

        Returns:
            Tensor: (B * G, C, H, W).
        """
        n, c, hh, ww = x.shape
        g = self.group_size
        if n % g:
            raise ValueError(f'GroupGraphNeck: a batch of {n} maps is not a '
                             f'whole number of groups of {g}')
        if c != self.channels:
            raise ValueError(f'GroupGraphNeck: expected {self.channels} '
                             f'channels (classes), got {c}')
        h = x
        for _ in range(self.num_rounds):
            fused = self.aggregate(self.messages(h.view(n // g, g, c, hh, ww)))
            h = self.gru(fused, h)
            if self.graph_dropout is not None:
                h = self.graph_dropout(h)
        return h

    @staticmethod
    def logits(h: torch.Tensor) -> torch.Tensor:
        """Global average of the node states, (N, C)."""
        return F.adaptive_avg_pool2d(h, 1).flatten(1)
