from .map_evaluation import evaluate_maps, voc_split_dataset
from .map_generation import (PAPER_SCALES, build_map_config, check_map_meta,
                             generate_maps)

__all__ = [
    'PAPER_SCALES', 'build_map_config', 'check_map_meta', 'evaluate_maps',
    'generate_maps', 'voc_split_dataset'
]
