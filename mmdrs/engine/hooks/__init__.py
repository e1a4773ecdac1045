from .channels_last_hook import ChannelsLastHook
from .map_accumulation_hook import OnlineMapAccumulationHook
from .progress_bar_hook import ProgressBarHook

__all__ = [
    'ChannelsLastHook', 'OnlineMapAccumulationHook', 'ProgressBarHook'
]
