from .hooks import ProgressBarHook
from .optim_constructor import BiasLrMultOptimWrapperConstructor

__all__ = ['BiasLrMultOptimWrapperConstructor', 'ProgressBarHook']
