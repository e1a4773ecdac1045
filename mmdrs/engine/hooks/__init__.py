from .channels_last_hook import ChannelsLastHook
from .final_validation_hook import FinalValidationHook
from .map_accumulation_hook import OnlineMapAccumulationHook
from .progress_bar_hook import ProgressBarHook

__all__ = [
    'ChannelsLastHook', 'FinalValidationHook', 'OnlineMapAccumulationHook',
    'ProgressBarHook'
]
