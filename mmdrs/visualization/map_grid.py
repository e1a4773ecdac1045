"""Drawing helpers for localization-map figures (BGR uint8 images)."""
from typing import List, Optional, Sequence

import cv2
import numpy as np

from ..datasets.voc_layout import voc_palette
from ..utils.atomic import atomic_write


def heatmap_overlay(img: np.ndarray, cam: np.ndarray,
                    weight: float = 0.5) -> np.ndarray:
    """Blend a [0, 1] map (any size, resized to the image) as a JET heat map.
    """
    cam = cv2.resize(cam.astype(np.float32), img.shape[1::-1])
    heat = cv2.applyColorMap(
        (np.clip(cam, 0, 1) * 255).astype(np.uint8), cv2.COLORMAP_JET)
    return cv2.addWeighted(img, 1 - weight, heat, weight, 0)


def colorize_label(label: np.ndarray) -> np.ndarray:
    """A label map (0..255) in VOC palette colours, BGR."""
    pal = np.asarray(voc_palette(), np.uint8).reshape(256, 3)[:, ::-1]
    return pal[label.astype(np.uint8)]


def tile(img: np.ndarray, size: int, caption: Optional[str] = None):
    """Resize to ``size`` x ``size`` and write a caption on a dark band."""
    out = cv2.resize(img, (size, size), interpolation=cv2.INTER_NEAREST)
    if caption:
        cv2.rectangle(out, (0, 0), (size, 14), (0, 0, 0), -1)
        cv2.putText(out, caption[:size // 7], (2, 11),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.35, (255, 255, 255), 1,
                    cv2.LINE_AA)
    return out


def grid(rows: Sequence[List[np.ndarray]], size: int) -> np.ndarray:
    """Stack rows of equal-size tiles, padding short rows with grey."""
    width = max(len(r) for r in rows)
    blank = np.full((size, size, 3), 40, np.uint8)
    return np.concatenate(
        [np.concatenate(list(r) + [blank] * (width - len(r)), 1)
         for r in rows], 0)


def write_image(path: str, img: np.ndarray) -> None:
    """Write an image atomically (format from the extension)."""

    def write(tmp):
        if not cv2.imwrite(tmp, img):
            raise OSError(f'could not write {path}')

    atomic_write(path, write)
