from .channels_last_hook import ChannelsLastHook
from .progress_bar_hook import ProgressBarHook

__all__ = ['ChannelsLastHook', 'ProgressBarHook']
