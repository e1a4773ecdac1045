"""torchvision-style colour jitter on numpy images (the DRS recipe's)."""
import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS


@TRANSFORMS.register_module()
class RandomColorJitter(BaseTransform):
    """Randomly change brightness, contrast, saturation and hue.

    Same semantics as ``torchvision.transforms.ColorJitter``: each factor is
    drawn uniformly from ``[max(0, 1 - v), 1 + v]`` (hue shift from
    ``[-hue, hue]`` of a full turn) and the four adjustments are applied in
    random order. Works on ``results['img']`` (uint8, BGR as loaded by
    mmcv); only the image changes, never the labels.

    Args:
        brightness (float): Defaults to 0.3 (the DRS recipe).
        contrast (float): Defaults to 0.3.
        saturation (float): Defaults to 0.3.
        hue (float): At most 0.5. Defaults to 0.1.
    """

    def __init__(self,
                 brightness: float = 0.3,
                 contrast: float = 0.3,
                 saturation: float = 0.3,
                 hue: float = 0.1):
        if not 0 <= hue <= 0.5:
            raise ValueError(f'hue must be in [0, 0.5], got {hue}')
        for name, v in (('brightness', brightness), ('contrast', contrast),
                        ('saturation', saturation)):
            if v < 0:
                raise ValueError(f'{name} must be >= 0, got {v}')
        self.brightness = brightness
        self.contrast = contrast
        self.saturation = saturation
        self.hue = hue

    @staticmethod
    def _factor(v: float) -> float:
        return float(np.random.uniform(max(0.0, 1 - v), 1 + v))

    @staticmethod
    def _grey(img: np.ndarray) -> np.ndarray:
        # BGR weights of ITU-R 601 luma, as torchvision's rgb_to_grayscale
        return img @ np.array([0.114, 0.587, 0.299], np.float32)

    def transform(self, results: dict) -> dict:
        img = results['img'].astype(np.float32)
        for op in np.random.permutation(4):
            if op == 0 and self.brightness > 0:
                img = img * self._factor(self.brightness)
            elif op == 1 and self.contrast > 0:
                mean = self._grey(img).mean()
                f = self._factor(self.contrast)
                img = f * img + (1 - f) * mean
            elif op == 2 and self.saturation > 0:
                f = self._factor(self.saturation)
                img = f * img + (1 - f) * self._grey(img)[..., None]
            elif op == 3 and self.hue > 0:
                shift = np.random.uniform(-self.hue, self.hue)
                hsv = cv2.cvtColor(
                    np.clip(img, 0, 255).astype(np.uint8), cv2.COLOR_BGR2HSV)
                h = hsv[..., 0].astype(np.int32) + int(round(shift * 180))
                hsv[..., 0] = np.mod(h, 180).astype(np.uint8)
                img = cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR).astype(np.float32)
            img = np.clip(img, 0, 255)
        results['img'] = img.astype(np.uint8)
        return results

    def __repr__(self):
        return (f'{type(self).__name__}(brightness={self.brightness}, '
                f'contrast={self.contrast}, saturation={self.saturation}, '
                f'hue={self.hue})')
