import math

import pytest

from mmdrs.utils.stats import format_mean_std, mean_std


def test_mean_and_sample_std():
    mean, std = mean_std([1.0, 2.0, 4.0])
    assert mean == pytest.approx(7 / 3)
    # n - 1 in the denominator: sum of squares 4.667 / 2
    assert std == pytest.approx(math.sqrt((16 / 9 + 1 / 9 + 25 / 9) / 2))
    assert mean_std([5.0]) == (5.0, None)
    assert format_mean_std([40.0, 42.0, 44.0]) == '42.0 ± 2.0'
    assert format_mean_std([40.123], digits=2) == '40.12'
    with pytest.raises(ValueError, match='no values'):
        mean_std([])
