"""OutOfCandidateRate: predictions outside the image's own classes."""
import torch

from mmdrs.evaluation import OutOfCandidateRate


def _ds(pred, gt):
    return dict(pred_sem_seg=dict(data=torch.tensor(pred)[None]),
                gt_sem_seg=dict(data=torch.tensor(gt)[None]))


def test_counts_pixels_outside_background_and_the_mask_classes():
    m = OutOfCandidateRate()
    # image 1: classes {0, 2}; the prediction has a 3 (OC) and a 1 (OC),
    # one of them on an ignored pixel
    m.process(None, [_ds([[0, 2, 3], [1, 2, 0]], [[0, 2, 2], [255, 2, 0]])])
    # image 2: clean
    m.process(None, [_ds([[0, 1]], [[0, 1]])])
    out = m.compute_metrics(m.results)
    assert out['pixel_pct'] == round(100 * 1 / 7, 3)  # 7 valid pixels
    assert out['image_pct'] == 50.0
