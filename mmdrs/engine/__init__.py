from .hooks import ChannelsLastHook, ProgressBarHook
from .optim_constructor import BiasLrMultOptimWrapperConstructor

__all__ = [
    'BiasLrMultOptimWrapperConstructor', 'ChannelsLastHook', 'ProgressBarHook'
]
