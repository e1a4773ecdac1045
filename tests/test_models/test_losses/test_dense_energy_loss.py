"""DenseEnergyLoss against the O(N^2) definition written out by hand."""
import pytest
import torch
import torch.nn.functional as F

from mmdrs.models.losses import DenseEnergyLoss, dense_energy
from mmdrs.models.utils.gaussian_filter import (PermutohedralLattice,
                                                exact_gaussian_filter,
                                                lattice_gain)


def brute_force_energy(probs, images, roi, unreliable, sigma_rgb, sigma_xy,
                       gate='rrm'):
    """-(1/B) sum_b sum_k sum_i S~_ik g_i sum_j W_ij S~_jk, W built whole
    from a double loop over coordinates (float64)."""
    b, c, h, w = probs.shape
    total = 0
    for n in range(b):
        pts = []
        for y in range(h):
            for x in range(w):
                r, g_, bl = images[n, :, y, x].tolist()
                pts.append([x / sigma_xy, y / sigma_xy, r / sigma_rgb,
                            g_ / sigma_rgb, bl / sigma_rgb])
        f = torch.tensor(pts, dtype=torch.float64)
        diff = f[:, None, :] - f[None, :, :]
        kernel = torch.exp(-0.5 * (diff**2).sum(-1))  # N x N
        s = (probs[n] * roi[n]).reshape(c, -1).double()
        if gate == 'rrm':
            g = (roi[n].double().flatten() - s.amax(0)).clamp(min=0)
            g[unreliable[n].flatten()] = 1
        else:
            g = torch.ones(h * w, dtype=torch.float64)
        total = total - (s * g[None] * (s @ kernel.T)).sum()
    return total / b


def make_inputs(b=2, c=4, h=10, w=12, seed=0):
    gen = torch.Generator().manual_seed(seed)
    logits = torch.randn(b, c, h, w, generator=gen, dtype=torch.float64) * 2
    images = torch.rand(b, 3, h, w, generator=gen, dtype=torch.float64) * 255
    roi = torch.ones(b, h, w, dtype=torch.bool)
    roi[0, :, -3:] = False  # padding on the right of image 0
    unreliable = torch.rand(b, h, w, generator=gen) < 0.3
    return logits, images, roi, unreliable


@pytest.mark.parametrize('gate', ['rrm', 'none'])
def test_exact_energy_matches_brute_force(gate):
    logits, images, roi, unreliable = make_inputs()
    probs = logits.softmax(1)
    ours = dense_energy(probs, images, roi, unreliable, sigma_rgb=40,
                        sigma_xy=4, gate=gate, kernel='exact')
    ref = brute_force_energy(probs, images, roi, unreliable, 40, 4, gate)
    assert ref < 0
    torch.testing.assert_close(ours.double(), ref, rtol=1e-5, atol=0)


def test_module_downscales_as_the_authors():
    """scale 0.5: image/ROI/label nearest, probabilities bilinear, sigma_xy
    scaled; weight applied."""
    logits, images, roi, _ = make_inputs(h=16, w=20)
    label = torch.randint(0, 4, (2, 16, 20))
    label[:, :4] = 255
    loss = DenseEnergyLoss(sigma_rgb=30, sigma_xy=10, scale_factor=0.5,
                           kernel='exact', loss_weight=2.0)
    value = loss(logits, label, None, images=images, valid_mask=roi)
    probs = F.interpolate(logits.softmax(1), scale_factor=0.5,
                          mode='bilinear', align_corners=False)
    small_img = images[:, :, ::2, ::2]  # nearest at 0.5 = every other pixel
    small_roi = roi[:, ::2, ::2]
    small_unrel = (label == 255)[:, ::2, ::2]
    ref = brute_force_energy(probs, small_img, small_roi, small_unrel, 30, 5)
    torch.testing.assert_close(value.double(), 2.0 * ref, rtol=1e-5, atol=0)


def test_gate_is_zero_outside_the_image():
    logits, images, roi, unreliable = make_inputs()
    unreliable[0, :, -3:] = False
    base = dense_energy(logits.softmax(1), images, roi, unreliable,
                        kernel='exact', sigma_xy=4)
    logits2 = logits.clone()
    logits2[0, :, :, -3:] = torch.randn_like(logits2[0, :, :, -3:]) * 5
    moved = dense_energy(logits2.softmax(1), images, roi, unreliable,
                         kernel='exact', sigma_xy=4)
    torch.testing.assert_close(base, moved)


def _grad(fn, x):
    x = x.clone().requires_grad_(True)
    fn(x).backward()
    return x.grad


@pytest.mark.parametrize('gradient', ['authors', 'exact'])
def test_gradient_matches_finite_differences_without_gate(gradient):
    """gate='none': the energy is a quadratic form with a symmetric kernel,
    so the authors' -2 W S equals the true gradient."""
    logits, images, roi, unreliable = make_inputs(b=1, c=3, h=6, w=7)

    def energy(lg):
        return dense_energy(lg.softmax(1), images, roi, unreliable,
                            sigma_rgb=50, sigma_xy=3, gate='none',
                            kernel='exact', gradient=gradient)

    grad = _grad(energy, logits)
    eps = 1e-6
    gen = torch.Generator().manual_seed(1)
    for _ in range(8):
        idx = tuple(int(torch.randint(0, s, (1, ), generator=gen))
                    for s in logits.shape)
        up, down = logits.clone(), logits.clone()
        up[idx] += eps
        down[idx] -= eps
        fd = (energy(up) - energy(down)) / (2 * eps)
        torch.testing.assert_close(grad[idx], fd.to(grad.dtype), rtol=1e-4,
                                   atol=1e-9)


def test_gated_gradients():
    """gate='rrm': 'exact' = autograd of the brute force with the gate held
    fixed; 'authors' = -2 g (W S~) ROI (RRM's backward), which differs."""
    logits, images, roi, unreliable = make_inputs(b=2, c=3, h=6, w=7)
    probs = logits.softmax(1)
    with torch.no_grad():
        gate = (roi.double() - (probs * roi[:, None]).amax(1)).clamp(min=0)
        gate[unreliable] = 1

    def ref_energy(p):  # the gate as a constant
        total = 0
        for n in range(p.shape[0]):
            f = torch.cat([
                torch.stack(torch.meshgrid(torch.arange(6.), torch.arange(7.),
                                           indexing='ij')[::-1]).reshape(
                                               2, -1).double() / 3,
                images[n].reshape(3, -1) / 50
            ]).T
            kernel = torch.exp(-0.5 * torch.cdist(f, f)**2)
            s = (p[n] * roi[n]).reshape(p.shape[1], -1)
            total = total - (s * gate[n].flatten() * (s @ kernel)).sum()
        return total / p.shape[0]

    def ours(gradient):
        return _grad(lambda p: dense_energy(
            p, images, roi, unreliable, sigma_rgb=50, sigma_xy=3,
            kernel='exact', gradient=gradient), probs)

    ref = _grad(ref_energy, probs)
    torch.testing.assert_close(ours('exact').double(), ref, rtol=1e-5,
                               atol=1e-10)
    # RRM's: -2/B g (W S~) ROI
    b = probs.shape[0]
    expected = torch.zeros_like(probs)
    for n in range(b):
        s = (probs[n] * roi[n]).reshape(3, -1)
        f = torch.cat([
            torch.stack(torch.meshgrid(torch.arange(6.), torch.arange(7.),
                                       indexing='ij')[::-1]).reshape(
                                           2, -1).double() / 3,
            images[n].reshape(3, -1) / 50
        ]).T
        ws = s @ torch.exp(-0.5 * torch.cdist(f, f)**2)
        expected[n] = (-2 / b * gate[n].flatten() * ws *
                       roi[n].flatten()).reshape(3, 6, 7)
    authors = ours('authors').double()
    torch.testing.assert_close(authors, expected, rtol=1e-5, atol=1e-10)
    assert (authors - ref).abs().max() > 1e-3  # the two really differ


def smooth_image(h, w, seed=0):
    """A piecewise-smooth test image (regions of colour + noise), 0-255."""
    gen = torch.Generator().manual_seed(seed)
    ys, xs = torch.meshgrid(torch.arange(h), torch.arange(w), indexing='ij')
    img = torch.empty(3, h, w)
    img[0] = 60 + 150 * (((ys - h / 3)**2 + (xs - w / 2)**2) < (h / 4)**2)
    img[1] = 80 + 90 * (xs > 0.6 * w)
    img[2] = 40 + 120 * (ys > 0.7 * h)
    return (img + 6 * torch.randn(3, h, w, generator=gen)).clamp(0, 255)


def test_lattice_approximates_the_exact_energy():
    """The fast form at RRM's kernel widths relative to the image (sigma_xy
    50 px on a 160 px crop -> 15 px on 48 px): the energy within 8 % (it
    is 4-6 % high on these images, 48-96 px), the filtered probabilities
    within 12 % (L2) of the exact ones."""
    h = w = 48
    images = torch.stack([smooth_image(h, w, s) for s in range(2)])
    gen = torch.Generator().manual_seed(0)
    logits = F.interpolate(torch.randn(2, 5, 6, 6, generator=gen) * 3,
                           size=(h, w), mode='bilinear')
    probs = logits.softmax(1)
    unreliable = torch.rand(2, h, w, generator=gen) < 0.4
    kw = dict(sigma_rgb=15, sigma_xy=15)
    exact = dense_energy(probs, images, None, unreliable, kernel='exact',
                         **kw)
    fast = dense_energy(probs, images, None, unreliable, kernel='lattice',
                        **kw)
    assert abs(float(fast / exact) - 1) < 0.08
    from mmdrs.models.losses.dense_energy_loss import pixel_features
    f = pixel_features(images, 15, 15)[0]
    v = probs[0].flatten(1).T
    ex = exact_gaussian_filter(f, v)
    lat = PermutohedralLattice(f).filter(v, normalize=True)
    assert float((lat - ex).norm() / ex.norm()) < 0.12


def test_lattice_gain_and_linearity():
    assert 0.45 < lattice_gain(5) < 0.6
    gen = torch.Generator().manual_seed(0)
    f = torch.rand(300, 5, generator=gen) * 4
    lat = PermutohedralLattice(f)
    a, b = torch.rand(300, 2, generator=gen), torch.rand(300, 2,
                                                         generator=gen)
    torch.testing.assert_close(lat.filter(a + 2 * b),
                               lat.filter(a) + 2 * lat.filter(b),
                               rtol=1e-5, atol=1e-5)
    # nearly symmetric, <a, W b> ~ <W a, b>: the axis blurs do not quite
    # commute where lattice points are missing (as in the C++ original)
    torch.testing.assert_close((a * lat.filter(b)).sum(),
                               (lat.filter(a) * b).sum(), rtol=3e-3,
                               atol=0)


def test_lattice_loss_backward_runs():
    logits, images, roi, unreliable = make_inputs(h=40, w=40)
    logits = logits.float().requires_grad_(True)
    loss = DenseEnergyLoss(kernel='lattice', loss_weight=1.0)
    value = loss(logits, torch.where(unreliable, 255, 0), None,
                 images=images.float(), valid_mask=roi)
    value.backward()
    assert torch.isfinite(logits.grad).all() and logits.grad.abs().sum() > 0


def test_bad_arguments():
    with pytest.raises(ValueError, match='gate'):
        DenseEnergyLoss(gate='soft')
    with pytest.raises(ValueError, match='kernel'):
        DenseEnergyLoss(kernel='window')
    with pytest.raises(ValueError, match='images'):
        DenseEnergyLoss()(torch.zeros(1, 2, 4, 4))
    with pytest.raises(ValueError, match='matching probs'):
        dense_energy(torch.zeros(1, 2, 4, 4), torch.zeros(1, 3, 5, 4))


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs a GPU')
def test_cuda_matches_cpu():
    logits, images, roi, unreliable = make_inputs(h=40, w=40)
    logits, images = logits.float(), images.float()
    for kernel in ('exact', 'lattice'):
        cpu = dense_energy(logits.softmax(1), images, roi, unreliable,
                           kernel=kernel, sigma_xy=10)
        gpu = dense_energy(logits.cuda().softmax(1), images.cuda(),
                           roi.cuda(), unreliable.cuda(), kernel=kernel,
                           sigma_xy=10)
        torch.testing.assert_close(gpu.cpu(), cpu, rtol=1e-3, atol=0)
