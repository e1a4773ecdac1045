"""The whole WSSS pipeline as data: profiles (``configs/pipelines/``) list
stages of registered types (:data:`PIPELINE_STAGES`), each an ordinary tool
run over an ordinary config bound to the data at hand
(:mod:`mmdrs.pipeline.binding`). ``tools/run_pipeline.py`` is its command
line."""
from . import stages  # noqa: F401  (registers the stage types)
from .registry import PIPELINE_STAGES
from .runner import Pipeline, PipelineStage, load_profile

__all__ = ['PIPELINE_STAGES', 'Pipeline', 'PipelineStage', 'load_profile']
