"""Graph dropout (Group-WSSS): suppress a node's most activated region."""
import torch
import torch.nn as nn
from mmseg.registry import MODELS

EVAL_MODES = ('expectation', 'identity', 'stochastic')


@MODELS.register_module()
class GraphDropout(nn.Module):
    """Group-WSSS's graph dropout layer, applied to each updated graph node.

    For a node state ``h`` (C, H, W) let ``a`` be its channel mean. With
    probability ``drop_rate`` the mask is ``[a < drop_threshold * max(a)]``,
    which removes the most activated region; otherwise it is
    ``sigmoid(a)``. The output is ``(h * mask + h) / 2``: masked pixels are
    halved, not zeroed. One draw per node (per batch element), as the
    authors apply the layer to one node at a time.

    **Evaluation.** The authors' layer draws in evaluation too. Here the
    draw happens in training only; ``eval_mode`` says what evaluation uses:
    ``'expectation'`` (default) the expected mask ``drop_rate * drop +
    (1 - drop_rate) * sigmoid(a)`` (deterministic, the training output's
    mean), ``'identity'`` no dropout, ``'stochastic'`` the authors'
    behaviour.

    Args:
        drop_rate (float): Probability of the drop mask. Defaults to 0.8.
        drop_threshold (float): Fraction of the maximum above which pixels
            are dropped. Defaults to 0.7.
        eval_mode (str): See above. Defaults to ``'expectation'``.
    """

    def __init__(self,
                 drop_rate: float = 0.8,
                 drop_threshold: float = 0.7,
                 eval_mode: str = 'expectation'):
        super().__init__()
        if not 0 <= drop_rate <= 1:
            raise ValueError(f'GraphDropout: drop_rate must be in [0, 1], '
                             f'got {drop_rate}')
        if not 0 <= drop_threshold <= 1:
            raise ValueError(f'GraphDropout: drop_threshold must be in '
                             f'[0, 1], got {drop_threshold}')
        if eval_mode not in EVAL_MODES:
            raise ValueError(f'GraphDropout: eval_mode must be one of '
                             f'{EVAL_MODES}, got {eval_mode!r}')
        self.drop_rate = drop_rate
        self.drop_threshold = drop_threshold
        self.eval_mode = eval_mode

    def masks(self, x: torch.Tensor):
        """The drop mask and the importance map of ``x``, (B, 1, H, W)."""
        att = x.mean(dim=1, keepdim=True)
        peak = att.flatten(1).amax(dim=1).view(-1, 1, 1, 1)
        drop = (att < peak * self.drop_threshold).to(x.dtype)
        return drop, torch.sigmoid(att)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training and self.eval_mode == 'identity':
            return x
        drop, importance = self.masks(x)
        if self.training or self.eval_mode == 'stochastic':
            use_drop = (torch.rand(x.shape[0], 1, 1, 1, device=x.device) <
                        self.drop_rate).to(x.dtype)
        else:  # the expected mask
            use_drop = x.new_tensor(self.drop_rate)
        mask = use_drop * drop + (1 - use_drop) * importance
        return (x * mask + x) / 2

    def extra_repr(self) -> str:
        return (f'drop_rate={self.drop_rate}, drop_threshold='
                f'{self.drop_threshold}, eval_mode={self.eval_mode!r}')
