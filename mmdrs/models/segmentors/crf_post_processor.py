"""Dense-CRF post-processing of any segmentor's predictions."""
from typing import List, Optional

import numpy as np
import torch
from mmcv import imread
from mmengine.structures import PixelData
from mmseg.models.segmentors import SegTTAModel
from mmseg.registry import MODELS
from mmseg.utils import SampleList

from ..utils.crf import dense_crf

#: The DRS authors' DeepLab test-time CRF (configs/voc12_2gpu.yaml, also
#: their DeepLab-V3+ eval.py): 10 iterations, Gaussian kernel weight 3 /
#: sxy 1, bilateral kernel weight 4 / sxy 67 / srgb 3.
DRS_DEEPLAB_CRF = dict(
    iters=10,
    gauss_sxy=1,
    gauss_compat=3,
    bilateral_sxy=67,
    bilateral_srgb=3,
    bilateral_compat=4)


@MODELS.register_module()
class DenseCRFPostProcessor(SegTTAModel):
    """Refine a segmentor's predictions with a fully connected CRF.

    The "+CRF" rows of WSSS papers: softmax probabilities at the original
    image size -> mean-field dense CRF with the original image
    (:func:`~mmdrs.models.utils.crf.dense_crf`, the ``crf`` extra) ->
    ``pred_sem_seg`` = argmax of the CRF marginals (kept in ``seg_logits``).

    It wraps ``module`` as mmseg's ``SegTTAModel`` does, so plain
    checkpoints load into it (``tools/test.py CONFIG CKPT --crf``); with a
    test-time-augmentation pipeline (``--tta --crf``) the augmented
    predictions are first averaged as probabilities, as ``SegTTAModel``
    does, and the CRF refines the average.

    Args:
        module (dict): The segmentor config.
        crf (dict, optional): :func:`dense_crf` arguments. Defaults to the
            DRS authors' DeepLab settings (:data:`DRS_DEEPLAB_CRF`).
        data_preprocessor (dict, optional): As ``SegTTAModel``.
    """

    def __init__(self,
                 module: dict,
                 crf: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None):
        super().__init__(module=module, data_preprocessor=data_preprocessor)
        self.crf = dict(DRS_DEEPLAB_CRF, **(crf or {}))

    def test_step(self, data):
        enhanced = isinstance(data, dict) and isinstance(
            data.get('data_samples'), (list, tuple)) and data[
                'data_samples'] and isinstance(data['data_samples'][0],
                                               (list, tuple))
        if enhanced:  # a TTA pipeline: merge the augmented predictions
            samples = super().test_step(data)
        else:
            samples = self.module.test_step(data)
        return [self._refine(ds) for ds in samples]

    def merge_preds(self, data_samples_list: List[SampleList]) -> SampleList:
        """Average the augmented predictions' probabilities (kept as
        ``seg_logits``, unlike ``SegTTAModel`` which keeps the last one)."""
        merged = []
        for samples in data_samples_list:
            probs = torch.stack([ds.seg_logits.data.softmax(0)
                                 for ds in samples]).mean(0)
            ds = samples[0]
            ds.seg_logits = PixelData(data=probs.log())
            ds.pred_sem_seg = PixelData(data=probs.argmax(0, keepdim=True))
            merged.append(ds)
        return merged

    def _refine(self, ds):
        probs = ds.seg_logits.data.float().softmax(0)
        img = imread(ds.img_path)
        if img is None:
            raise FileNotFoundError(f'image {ds.img_path} not found (needed '
                                    'by the CRF)')
        if img.shape[:2] != tuple(probs.shape[-2:]):
            raise ValueError(
                f'{ds.img_path}: image {img.shape[:2]} vs prediction '
                f'{tuple(probs.shape[-2:])}; the CRF needs predictions at '
                'the original size')
        q = dense_crf(img, probs.cpu().numpy(), **self.crf)
        q = torch.from_numpy(np.ascontiguousarray(q)).to(probs.device)
        ds.seg_logits = PixelData(data=q)
        ds.pred_sem_seg = PixelData(data=q.argmax(0, keepdim=True))
        return ds
