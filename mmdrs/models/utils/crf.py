"""Optional dense-CRF refinement (the ``crf`` extra: ``pydensecrf2``)."""
import numpy as np


def dense_crf(img: np.ndarray,
              probs: np.ndarray,
              iters: int = 10,
              gauss_sxy: float = 3,
              gauss_compat: float = 3,
              bilateral_sxy: float = 50,
              bilateral_srgb: float = 13,
              bilateral_compat: float = 10) -> np.ndarray:
    """Refine class probabilities with a fully connected CRF.

    The usual WSSS settings (as in PSA/IRN). Needs ``pydensecrf2``
    (``pip install -e .[crf]``); the rest of mmdrs does not.

    Args:
        img (ndarray): (H, W, 3) uint8 image (RGB or BGR; only colour
            differences matter).
        probs (ndarray): (C, H, W) non-negative scores; normalised here.

    Returns:
        ndarray: (C, H, W) float32 refined probabilities.
    """
    try:
        import pydensecrf.densecrf as dcrf
        from pydensecrf.utils import unary_from_softmax
    except ImportError as e:
        raise ImportError(
            'dense CRF needs pydensecrf2: pip install -e .[crf] '
            '(or pip install pydensecrf2)') from e
    c, h, w = probs.shape
    p = probs.astype(np.float32) + 1e-8
    p = p / p.sum(0, keepdims=True)
    d = dcrf.DenseCRF2D(w, h, c)
    d.setUnaryEnergy(np.ascontiguousarray(unary_from_softmax(p)))
    d.addPairwiseGaussian(sxy=gauss_sxy, compat=gauss_compat)
    d.addPairwiseBilateral(
        sxy=bilateral_sxy, srgb=bilateral_srgb,
        rgbim=np.ascontiguousarray(img.astype(np.uint8)),
        compat=bilateral_compat)
    q = d.inference(iters)
    return np.asarray(q, np.float32).reshape(c, h, w)
