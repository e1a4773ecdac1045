"""The one definition of "mean ± std" in tables: sample std over seeds."""
import math
from typing import Optional, Sequence, Tuple


def mean_std(values: Sequence[float]) -> Tuple[float, Optional[float]]:
    """Mean and sample standard deviation (n - 1 in the denominator).

    Args:
        values (Sequence[float]): One value per seed.

    Returns:
        tuple: ``(mean, std)``; ``std`` is None for a single value (a
        sample std needs two).
    """
    vals = [float(v) for v in values]
    if not vals:
        raise ValueError('mean_std of no values')
    mean = sum(vals) / len(vals)
    if len(vals) == 1:
        return mean, None
    var = sum((v - mean)**2 for v in vals) / (len(vals) - 1)
    return mean, math.sqrt(var)


def format_mean_std(values: Sequence[float], digits: int = 1) -> str:
    """``'mean ± std'`` (:func:`mean_std`), or ``'mean'`` for one value."""
    mean, std = mean_std(values)
    if std is None:
        return f'{mean:.{digits}f}'
    return f'{mean:.{digits}f} ± {std:.{digits}f}'
