from .channels_last_hook import ChannelsLastHook
from .checkpoint_fit_hook import CheckpointFitHook
from .final_validation_hook import FinalValidationHook
from .invalid_loss_hook import InvalidLossHook
from .map_accumulation_hook import OnlineMapAccumulationHook
from .progress_bar_hook import ProgressBarHook

__all__ = [
    'ChannelsLastHook', 'CheckpointFitHook', 'FinalValidationHook',
    'InvalidLossHook', 'OnlineMapAccumulationHook', 'ProgressBarHook'
]
