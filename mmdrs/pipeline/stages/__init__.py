from .data import CheckData, ToyData
from .maps import Maps
from .labeling import PseudoLabels
from .predicted_labels import PredictedPseudoLabels
from .report import Report
from .rrm import ReliablePseudoLabels, TrainOneStepSegmentor
from .train import TrainClassifier, TrainRefiner, TrainSegmentor, TrainStage

__all__ = [
    'CheckData', 'ToyData', 'Maps', 'PseudoLabels', 'Report',
    'TrainClassifier', 'TrainRefiner', 'TrainSegmentor', 'TrainStage',
    'ReliablePseudoLabels', 'TrainOneStepSegmentor', 'PredictedPseudoLabels'
]
