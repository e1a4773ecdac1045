"""The DRS paper's rules turning localization maps into label maps."""
import torch


def _saliency_scores(cams: torch.Tensor, saliency: torch.Tensor,
                     alpha: float, saliency_threshold: float):
    """[1 - binary saliency, cams with scores below alpha zeroed]."""
    if saliency.shape != cams.shape[-2:]:
        raise ValueError(f'saliency map {tuple(saliency.shape)} and maps '
                         f'{tuple(cams.shape[-2:])} differ in size')
    cams = torch.where(cams < alpha, torch.zeros_like(cams), cams)
    salient = saliency > saliency_threshold
    bg = (~salient).to(cams.dtype)[None]
    return torch.cat([bg, cams], dim=0), salient


def saliency_argmax(cams: torch.Tensor,
                    saliency: torch.Tensor,
                    alpha: float = 0.2,
                    saliency_threshold: float = 50) -> torch.Tensor:
    """The DRS authors' validation protocol: argmax over [1 - binary
    saliency, class scores with those below ``alpha`` zeroed], without the
    ignore rules of :func:`saliency_label` (``train_cls.py`` /
    ``train_refine.py`` ``validate``).

    Args:
        cams (Tensor): (K, H, W) foreground maps (absent classes zero).
        saliency (Tensor): (H, W) saliency on a 0-255 scale.

    Returns:
        Tensor: int64 (H, W) labels in 0..K.
    """
    scores, _ = _saliency_scores(cams, saliency, alpha, saliency_threshold)
    return scores.argmax(dim=0)


def saliency_label(cams: torch.Tensor,
                   saliency: torch.Tensor,
                   alpha: float = 0.2,
                   saliency_threshold: float = 50,
                   conflict_score: float = 0.9,
                   conflict_channels: int = 3,
                   ignore_index: int = 255) -> torch.Tensor:
    """Label map from class maps and a saliency map: the DRS paper's
    pseudo-label rules (pixel for pixel the authors' code; docs/fidelity.md,
    pseudo labels).

    1. class scores below ``alpha`` are set to 0;
    2. background score = 1 - (saliency > ``saliency_threshold``), binary;
    3. pixels where at least ``conflict_channels`` channels (background
       included) exceed ``conflict_score`` -> ``ignore_index`` (the paper:
       "more than two");
    4. label = argmax over [background, classes];
    5. salient pixels whose argmax is background -> ``ignore_index``.

    Args:
        cams (Tensor): (K, H, W) foreground maps in [0, 1] (absent classes
            zero).
        saliency (Tensor): (H, W) saliency on a 0-255 scale.

    Returns:
        Tensor: int64 (H, W) labels in 0..K or ``ignore_index``.
    """
    scores, salient = _saliency_scores(cams, saliency, alpha,
                                       saliency_threshold)
    label = scores.argmax(dim=0)
    conflict = (scores > conflict_score).sum(dim=0) >= conflict_channels
    label[conflict] = ignore_index
    label[salient & (label == 0)] = ignore_index
    return label


def background_label(cams: torch.Tensor,
                     mode: str = 'constant',
                     bg_score: float = 0.15,
                     power: float = 4.0,
                     alpha: float = 0.0) -> torch.Tensor:
    """Label map without saliency: a background score from the maps alone.

    * ``'constant'``: background = ``bg_score`` (IRN's default 0.15);
    * ``'power'``: background = (1 - max_k cams) ** ``power`` (AffinityNet).

    Class scores below ``alpha`` are set to 0 first (default 0: none);
    label = argmax over [background, classes].

    Args:
        cams (Tensor): (K, H, W) maps in [0, 1], absent classes zero.

    Returns:
        Tensor: int64 (H, W) labels in 0..K.
    """
    if mode not in ('constant', 'power'):
        raise ValueError(f"mode must be 'constant' or 'power', got {mode!r}")
    if alpha > 0:
        cams = torch.where(cams < alpha, torch.zeros_like(cams), cams)
    if mode == 'constant':
        bg = cams.new_full((1, *cams.shape[1:]), bg_score)
    else:
        bg = (1 - cams.amax(0, keepdim=True)).clamp(min=0)**power
    return torch.cat([bg, cams]).argmax(0)
