from .cam_classifier import CAMClassifier
from .map_refiner import MapRefiner

__all__ = ['CAMClassifier', 'MapRefiner']
