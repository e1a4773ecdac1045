"""Optional dense-CRF refinement (the ``crf`` extra: ``pydensecrf2``)."""
import numpy as np

#: IRN's CRF on arg-max labels (Ahn et al., CVPR 2019; ``imutils.py:
#: crf_inference_label``): unary from the labels believed at 0.7, Gaussian
#: kernel sxy 3 / weight 3, bilateral sxy 50 / srgb 5 / weight 10, 10
#: iterations. The bilateral srgb is 5 - PSA's score CRF uses 13 -: pixels
#: whose colours differ by more than a few levels are not pulled together.
IRN_LABEL_CRF = dict(iters=10, gauss_sxy=3, gauss_compat=3, bilateral_sxy=50,
                     bilateral_srgb=5, bilateral_compat=10, unary='labels',
                     gt_prob=0.7)


def dense_crf(img: np.ndarray,
              probs: np.ndarray,
              iters: int = 10,
              gauss_sxy: float = 3,
              gauss_compat: float = 3,
              bilateral_sxy: float = 50,
              bilateral_srgb: float = 13,
              bilateral_compat: float = 10,
              unary: str = 'normalized',
              gt_prob: float = 0.7) -> np.ndarray:
    """Refine class probabilities with a fully connected CRF.

    The defaults mix the usual WSSS settings: PSA's colour width (srgb 13)
    with IRN's spatial one (sxy 50); IRN's whole label CRF, colour width 5,
    is :data:`IRN_LABEL_CRF`. Needs ``pydensecrf2`` (``pip install -e
    .[crf]``); the rest of mmdrs does not.

    Args:
        img (ndarray): (H, W, 3) uint8 image (RGB or BGR; only colour
            differences matter).
        probs (ndarray): (C, H, W) non-negative scores.
        unary (str): ``'normalized'`` (default): the scores + 1e-8,
            normalised over C, give the unary -log p; ``'raw'``: -log of the
            scores clipped at 1e-5, unnormalised (pydensecrf's
            ``unary_from_softmax`` on raw scores, as PSA/RRM's
            ``crf_inference``; the normalisation only shifts each pixel's
            unaries, but the floor differs); ``'labels'``: only the arg-max
            of the scores counts, believed with probability ``gt_prob`` (the
            rest shared by the other classes; pydensecrf's
            ``unary_from_labels``, as IRN's ``crf_inference_label``) - for
            scores whose margins mean little, e.g. CAMs against a constant
            background.
        gt_prob (float): Confidence in the arg-max label (``'labels'``).

    Returns:
        ndarray: (C, H, W) float32 refined probabilities.
    """
    try:
        import pydensecrf.densecrf as dcrf
        from pydensecrf.utils import unary_from_labels, unary_from_softmax
    except ImportError as e:
        raise ImportError(
            'dense CRF needs pydensecrf2: pip install -e .[crf] '
            '(or pip install pydensecrf2)') from e
    if unary not in ('normalized', 'raw', 'labels'):
        raise ValueError("unary must be 'normalized', 'raw' or 'labels', got "
                         f'{unary!r}')
    c, h, w = probs.shape
    if c == 1:  # one label: nothing to decide (and no unary to build)
        return np.ones((1, h, w), np.float32)
    if unary == 'labels':
        u = unary_from_labels(
            probs.argmax(0), c, gt_prob=gt_prob, zero_unsure=False)
    elif unary == 'raw':
        u = unary_from_softmax(probs.astype(np.float32), clip=1e-5)
    else:
        p = probs.astype(np.float32) + 1e-8
        p = p / p.sum(0, keepdims=True)
        u = unary_from_softmax(p)
    d = dcrf.DenseCRF2D(w, h, c)
    d.setUnaryEnergy(np.ascontiguousarray(u))
    d.addPairwiseGaussian(sxy=gauss_sxy, compat=gauss_compat)
    d.addPairwiseBilateral(
        sxy=bilateral_sxy, srgb=bilateral_srgb,
        rgbim=np.ascontiguousarray(img.astype(np.uint8)),
        compat=bilateral_compat)
    q = d.inference(iters)
    return np.asarray(q, np.float32).reshape(c, h, w)
