"""Necks (modules between a backbone and a head), registered in mmseg's
``MODELS``."""
from .group_graph_neck import GroupGraphNeck

__all__ = ['GroupGraphNeck']
