from .cam_maps import (MAP_SUFFIX, load_cam_maps, map_file, quantize_maps,
                       save_cam_maps)
from .saliency import load_saliency

__all__ = [
    'MAP_SUFFIX', 'load_cam_maps', 'load_saliency', 'map_file',
    'quantize_maps', 'save_cam_maps'
]
