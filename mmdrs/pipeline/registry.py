"""Registry of pipeline stage types (``tools/run_pipeline.py`` profiles)."""
from mmengine.registry import Registry

#: Stage types a profile (``configs/pipelines/*.py``) composes, by name:
#: ``dict(type='TrainClassifier', name='drs', config=...)``. A new method
#: registers its own stage types here or reuses these with its configs.
PIPELINE_STAGES = Registry('pipeline stage', scope='mmdrs')
