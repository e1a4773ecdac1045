from .hooks import (ChannelsLastHook, OnlineMapAccumulationHook,
                    ProgressBarHook)
from .optim_constructor import BiasLrMultOptimWrapperConstructor

__all__ = [
    'BiasLrMultOptimWrapperConstructor', 'ChannelsLastHook',
    'OnlineMapAccumulationHook', 'ProgressBarHook'
]
