"""Necks (modules between a backbone and a head), registered in mmseg's
``MODELS``."""
