"""A convolutional GRU cell."""
import torch
import torch.nn as nn


class ConvGRUCell(nn.Module):
    """Convolutional GRU cell: ``h' = (1 - z) * h + z * tanh(W_o [x, r*h])``.

    ``z`` (update) and ``r`` (reset) are sigmoid gates of ``[x, h]``, each a
    convolution with bias; ``padding = kernel_size // 2`` keeps the size.

    Args:
        input_channels (int): Channels of the input ``x``.
        hidden_channels (int): Channels of the state ``h``.
        kernel_size (int): Odd kernel size of the gates. Defaults to 1.
    """

    def __init__(self, input_channels: int, hidden_channels: int,
                 kernel_size: int = 1):
        super().__init__()
        if kernel_size % 2 == 0:
            raise ValueError(f'ConvGRUCell: kernel_size must be odd, got '
                             f'{kernel_size}')
        c, pad = input_channels + hidden_channels, kernel_size // 2
        self.update_gate = nn.Conv2d(c, hidden_channels, kernel_size,
                                     padding=pad)
        self.reset_gate = nn.Conv2d(c, hidden_channels, kernel_size,
                                    padding=pad)
        self.candidate = nn.Conv2d(c, hidden_channels, kernel_size,
                                   padding=pad)

    def forward(self, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        """The new state from input ``x`` and state ``h`` (B, C, H, W)."""
        xh = torch.cat([x, h], dim=1)
        z = torch.sigmoid(self.update_gate(xh))
        r = torch.sigmoid(self.reset_gate(xh))
        cand = torch.tanh(self.candidate(torch.cat([x, r * h], dim=1)))
        return (1 - z) * h + z * cand
