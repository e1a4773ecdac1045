"""Data stages: the embedded toy dataset and the dataset check."""
import time
from typing import Dict, List, Optional

from mmengine.config import Config

from ..binding import config_datasets
from ..registry import PIPELINE_STAGES
from ..runner import PipelineStage, Row
from ..tool_runs import run_stage


@PIPELINE_STAGES.register_module()
class ToyData(PipelineStage):
    """Generate the embedded toy VOC at the data root (idempotent).

    Sizes come from the profile variable ``toy_size`` (train, val, aug).
    """

    def __init__(self, name: str = 'data', **kwargs):
        super().__init__(name, **kwargs)

    def run(self, pipe):
        from ...datasets.toy_voc import make_toy_voc
        t0 = time.time()
        sizes = pipe.vars.get('toy_size', (120, 60, 240))
        make_toy_voc(pipe.data_root, *sizes)
        print(f'[pipeline] data: toy VOC at {pipe.data_root} '
              f'({time.time() - t0:.1f} s)', flush=True)
        return None


class _BeforeTraining:
    """``pipe`` as its stages see it before any of them ran.

    Everything is ``pipe``'s except :meth:`require`: the output of an
    earlier stage (the maps a refiner learns, the labels a segmentor trains
    on) is a placeholder, so each stage's ``--cfg-options`` can be computed
    by the stage's own ``options`` before anything trains.
    """

    def __init__(self, pipe):
        self._pipe = pipe

    def __getattr__(self, attr):
        return getattr(self._pipe, attr)

    def require(self, name: str, key: str = 'checkpoint') -> str:
        names = [s.name for s in self._pipe.stages]
        if name not in names:
            raise ValueError(f'reads the {key} of stage {name!r}, which is '
                             f'not in this profile ({names})')
        return f'<{key} of stage {name}>'


def binding_problems(pipe, configs: Optional[Dict[str, Config]] = None
                     ) -> List[str]:
    """Every training stage's binding (its ``--cfg-options``, computed by
    the stage's ``options`` as when it runs) resolved before anything
    trains: a config that lacks what a binding needs
    (:mod:`~mmdrs.pipeline.binding`, e.g. a segmentation config without
    a ``LoadPseudoLabels`` transform) is a problem naming the stage and
    the config file, instead of an error once the stages before it trained.

    Args:
        pipe (Pipeline): The pipeline.
        configs (dict[str, Config], optional): Loaded configs by stage
            name; the stages' own ``load_config()`` for those missing.

    Returns:
        list[str]: Problems, one per stage that cannot be bound.
    """
    planned = _BeforeTraining(pipe)
    problems = []
    for s in pipe.stages:
        if not (hasattr(s, 'load_config') and hasattr(s, 'options')):
            continue
        cfg = (configs or {}).get(s.name) or s.load_config()
        try:
            s.options(planned, cfg)
        except ValueError as err:
            problems.append(f'stage {s.name!r} cannot be bound: {err}')
    return problems


def config_problems(pipe) -> List[str]:
    """What the training configs of ``pipe``'s stages cannot be bound to
    (:func:`binding_problems`) or read from its data root that is not there
    (list files, folders, listed images and masks;
    :func:`~mmdrs.datasets.dataset_check.check_dataset_configs`), e.g. a
    config reading ``SegmentationClass`` from a folder that has
    ``SegmentationClassAug`` only."""
    from ...datasets.dataset_check import check_dataset_configs
    configs = {s.name: s.load_config() for s in pipe.stages
               if hasattr(s, 'load_config')}
    datasets = [
        d for s in pipe.stages if s.name in configs
        for d in config_datasets(configs[s.name],
                                 f'stage {s.name!r} ({s.config})')
    ]
    return binding_problems(pipe, configs) + check_dataset_configs(
        pipe.data_root, datasets)


@PIPELINE_STAGES.register_module()
class CheckData(PipelineStage):
    """Check the data root before any training
    (:func:`~mmdrs.datasets.dataset_check.check_voc_folder`; also
    ``tools/check_dataset.py``), every list file, folder and file the
    profile's training configs read from it
    (:func:`~mmdrs.datasets.dataset_check.check_dataset_configs`) and every
    training stage's binding (:func:`binding_problems`). Any problem stops
    the pipeline with the list of files at fault.

    Args:
        splits (Sequence[str]): Splits to check.
    """

    def __init__(self, name: str = 'check',
                 splits=('train', 'trainaug', 'val'), **kwargs):
        super().__init__(name, **kwargs)
        self.splits = tuple(splits)

    def run(self, pipe):
        from ...datasets.dataset_check import check_voc_folder

        def fn():
            rep = check_voc_folder(pipe.data_root, self.splits)
            rep['problems'] += config_problems(pipe)
            rep['ok'] = not rep['problems']
            if not rep['ok']:
                shown = '\n  '.join(rep['problems'][:20])
                more = len(rep['problems']) - 20
                raise RuntimeError(
                    f'dataset check of {pipe.data_root} failed with '
                    f'{len(rep["problems"])} problem(s) (python '
                    f'tools/check_dataset.py {pipe.data_root} --profile '
                    f'{pipe.profile.filename} lists them all):\n  '
                    f'{shown}' +
                    (f'\n  ... and {more} more' if more > 0 else ''))
            return dict(classes=rep['classes'], saliency=rep['saliency'],
                        splits=rep['splits'])

        return run_stage(self.name, self.out_dir(pipe), fn, pipe.force)

    def rows(self, pipe, res):
        return [Row(self.name, 'dataset check: classes (background incl.), '
                    'images per split', len(res['classes']),
                    f"{res['splits']}; saliency maps: "
                    f"{'yes' if res['saliency'] else 'no'}", res['seconds'])]
