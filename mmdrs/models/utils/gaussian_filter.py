"""Dense Gaussian filtering in feature space, in pure PyTorch.

``W v`` with ``W_ij = exp(-|f_i - f_j|^2 / 2)`` over N points with features
f (N, d) - the bilateral kernel of dense CRFs and dense energy losses:

* :func:`exact_gaussian_filter`: the O(N^2) sum, computed in row chunks so
  memory stays at ``chunk x N``;
* :class:`PermutohedralLattice`: the permutohedral-lattice approximation
  (Adams, Baek and Davis, Eurographics 2010) in the variant of
  Kraehenbuehl's dense CRF code that RRM's ``bilateralfilter`` extension
  builds on: features lifted onto the lattice (d + 1 vertices per point,
  barycentric weights), a [1/2, 1, 1/2] blur along each of the d + 1 lattice
  axes, sliced back with the same weights. O(N d^2) and linear in the
  values, so autograd goes through it. It is an *unnormalised*
  approximation: its kernel is about :func:`lattice_gain` (0.52 for d = 5)
  times a Gaussian of width 1.03 (:meth:`PermutohedralLattice.filter`
  divides by the gain when ``normalize``).
"""
import functools
import math

import torch


def exact_gaussian_filter(features: torch.Tensor,
                          values: torch.Tensor,
                          chunk_elems: int = 1 << 24) -> torch.Tensor:
    """``out_i = sum_j exp(-|f_i - f_j|^2 / 2) v_j`` (self term included).

    Args:
        features (Tensor): (N, d) features (already divided by the sigmas).
        values (Tensor): (N, C) values.
        chunk_elems (int): Kernel entries held at once (rows x N).

    Returns:
        Tensor: (N, C) filtered values, in ``values``' dtype.
    """
    n = features.shape[0]
    f = features - features.mean(0, keepdim=True)  # smaller rounding error
    sq = (f * f).sum(1)
    rows = max(1, chunk_elems // max(n, 1))
    out = values.new_empty(values.shape)
    for s in range(0, n, rows):
        fc = f[s:s + rows]
        d2 = (sq[s:s + rows, None] + sq[None] - 2 * fc @ f.T).clamp_(min=0)
        out[s:s + rows] = torch.exp(d2.mul_(-0.5)).to(values.dtype) @ values
    return out


def lattice_gain(d: int) -> float:
    """The peak of the unnormalised lattice filter's impulse response
    (:func:`lattice_calibration`), 0.53 for d = 5."""
    return lattice_calibration(d)[0]


@functools.lru_cache(maxsize=None)
def lattice_calibration(d: int):
    """(gain, width) of the unnormalised lattice filter for ``d`` feature
    dimensions: it computes about ``gain * exp(-|f_i - f_j|^2 / (2 *
    width^2))`` instead of the unit Gaussian (0.53 and 1.03 for d = 5).

    Measured, not derived: a least-squares fit of log response against the
    squared distance (up to 6) over the impulse responses of 256 points
    among 4,000 uniform in [0, 6]^d (fixed seed, computed once per d).
    The kernel's tails are heavier than this Gaussian's: its total mass,
    (d+1)^(d-1/2) / (sqrt(2/3) (d+1))^d * 2^(d+1) / (1 + 2^-d) /
    (2 pi)^(d/2) = 0.71 of the unit Gaussian's for d = 5, is what points
    filling all d dimensions see; image pixels (a 2-D sheet in the 5-D
    feature space) see about 0.57 (``tools/benchmarks/dense_energy_loss``).
    """
    gen = torch.Generator().manual_seed(0)
    n, probes = 4000, 256
    f = torch.rand(n, d, generator=gen, dtype=torch.float64).float() * 6
    lat = PermutohedralLattice(f)
    impulses = torch.zeros(n, probes)
    impulses[torch.arange(probes), torch.arange(probes)] = 1
    resp = lat.filter(impulses)  # (n, probes): response at i to probe j
    d2 = torch.cdist(f.double(), f[:probes].double()).pow(2)
    keep = (resp > 1e-4) & (d2 < 6)
    x, y = d2[keep], resp[keep].double().log()
    design = torch.stack([torch.ones_like(x), x], 1)
    coef = torch.linalg.lstsq(design, y[:, None]).solution
    return float(coef[0].exp()), float((-0.5 / coef[1]).sqrt())


class PermutohedralLattice:
    """A permutohedral lattice over N points (built once, applied to any
    number of value channels).

    Args:
        features (Tensor): (N, d) float features (divided by the sigmas).
        calibrated (bool): Multiply the features by the lattice's measured
            width (:func:`lattice_calibration`), so that with
            ``filter(normalize=True)`` the kernel approximates the unit
            Gaussian in both height and width. False (default) builds the
            lattice on the features as given, as RRM's extension does.

    Raises:
        ValueError: When the lattice keys do not fit a 63-bit code (features
            spread over an enormous range: check the sigmas).
    """

    def __init__(self, features: torch.Tensor, calibrated: bool = False):
        if features.dim() != 2:
            raise ValueError('features must be (N, d), got shape '
                             f'{tuple(features.shape)}')
        n, d = features.shape
        dev = features.device
        self.n, self.d = n, d
        f = features.float()
        if calibrated:
            f = f * lattice_calibration(d)[1]
        # lift onto the hyperplane sum(x) = 0 of R^(d+1) (Adams et al. E)
        idx = torch.arange(d, device=dev, dtype=torch.float32)
        scale = math.sqrt(2 / 3) * (d + 1) / torch.sqrt((idx + 1) * (idx + 2))
        cf = f * scale
        tail = cf.flip(1).cumsum(1).flip(1)  # tail[:, i] = sum_{m>=i} cf_m
        after = torch.cat([tail[:, 1:], cf.new_zeros(n, 1)], 1)
        j = torch.arange(1, d + 1, device=dev, dtype=torch.float32)
        elevated = torch.cat([tail[:, :1], after - j * cf], 1)  # (N, d+1)
        # nearest remainder-0 point, then the simplex (rank of each
        # coordinate's residual) and the point's barycentric weights
        rd = torch.round(elevated / (d + 1))
        rem0 = rd * (d + 1)
        total = rd.sum(1, keepdim=True).long()
        res = elevated - rem0
        ri, rj = res[:, :, None], res[:, None, :]
        upper = torch.triu(torch.ones(d + 1, d + 1, dtype=torch.bool,
                                      device=dev), 1)
        # i < j: i counts j when res_i < res_j, otherwise j counts i
        rank = ((ri < rj) & upper).sum(2) + ((ri >= rj) & upper).sum(1)
        rank = rank + total
        low, high = rank < 0, rank > d
        rank = rank + (d + 1) * low.long() - (d + 1) * high.long()
        rem0 = rem0 + (d + 1) * low.float() - (d + 1) * high.float()
        v = (elevated - rem0) / (d + 1)
        bary = f.new_zeros(n, d + 2)
        bary.scatter_add_(1, d - rank, v)
        bary.scatter_add_(1, d - rank + 1, -v)
        bary[:, 0] += 1 + bary[:, d + 1]
        self.weights = bary[:, :d + 1].contiguous()  # (N, d+1)
        # vertex r of the simplex: rem0 + canonical[r, rank] (first d coords)
        r = torch.arange(d + 1, device=dev)
        canonical = torch.where(r[None, :] <= d - r[:, None], r[:, None],
                                r[:, None] - (d + 1))  # [remainder, rank]
        keys = rem0[:, None, :d].long() + canonical[:, rank[:, :d]].permute(
            1, 0, 2)  # (N, d+1, d)
        keys = keys.reshape(-1, d)
        lo = keys.amin(0) - (d + 1)
        span = keys.amax(0) - lo + (d + 2)
        if float(torch.log2(span.double()).sum()) > 62:
            raise ValueError('permutohedral lattice keys overflow 63 bits: '
                             'the features span too wide a range')
        self._lo = lo
        self._stride = torch.cumprod(
            torch.cat([span.new_ones(1), span[:-1]]), 0)
        codes = self._code(keys)
        self.codes, inverse = torch.unique(codes, return_inverse=True)
        self.m = self.codes.numel()
        self.offsets = inverse.view(n, d + 1)
        point_keys = keys.new_zeros(self.m, d)
        point_keys[inverse] = keys
        # neighbours along each lattice axis (missing ones -> row m, zero)
        self.neighbours = []
        for axis in range(d + 1):
            step = keys.new_full((d, ), -1)
            if axis < d:
                step[axis] = d
            self.neighbours.append((self._find(point_keys + step),
                                    self._find(point_keys - step)))

    def _code(self, keys: torch.Tensor) -> torch.Tensor:
        return ((keys - self._lo) * self._stride).sum(-1)

    def _find(self, keys: torch.Tensor) -> torch.Tensor:
        codes = self._code(keys)
        pos = torch.searchsorted(self.codes, codes).clamp_(max=self.m - 1)
        hit = self.codes[pos] == codes
        return torch.where(hit, pos, torch.full_like(pos, self.m))

    def filter(self, values: torch.Tensor,
               normalize: bool = False) -> torch.Tensor:
        """Splat, blur and slice (N, C) values; differentiable in them.

        Args:
            values (Tensor): (N, C).
            normalize (bool): Divide by :func:`lattice_gain` so the result
                approximates :func:`exact_gaussian_filter`; False returns
                the raw lattice response, as RRM's extension does.

        Returns:
            Tensor: (N, C).
        """
        n, c = values.shape
        if n != self.n:
            raise ValueError(f'lattice built for {self.n} points, got '
                             f'{n} values')
        vals = values.float()
        flat = (self.weights[:, :, None] * vals[:, None, :]).reshape(-1, c)
        grid = vals.new_zeros(self.m + 1, c).index_add(
            0, self.offsets.reshape(-1), flat)
        for n1, n2 in self.neighbours:
            blurred = grid[:self.m] + 0.5 * (grid[n1] + grid[n2])
            grid = torch.cat([blurred, grid[self.m:]])
        alpha = 1 / (1 + 2**-self.d)
        if normalize:
            alpha = alpha / lattice_gain(self.d)
        out = (grid[self.offsets] * self.weights[:, :, None]).sum(1) * alpha
        return out.to(values.dtype)
