"""Run a pipeline profile: stages from a config file, resumable."""
import os
import os.path as osp
import shutil
import time
from typing import Dict, List, NamedTuple, Optional, Sequence

from mmengine.config import Config

from ..utils.config_paths import project_root
from .markers import done_marker, read_done_marker
from .registry import PIPELINE_STAGES

# the checkout, or an installed copy's mmdrs/.mim (configs/, tools/)
REPO = project_root()
PROFILE_DIR = osp.join(REPO, 'configs', 'pipelines')


def load_profile(profile: str) -> Config:
    """A profile by name (``configs/pipelines/<name>.py``) or path."""
    path = profile if osp.isfile(profile) else osp.join(
        PROFILE_DIR, f'{profile}.py')
    if not osp.isfile(path):
        names = sorted(f[:-3] for f in os.listdir(PROFILE_DIR)
                       if f.endswith('.py'))
        raise FileNotFoundError(
            f'pipeline profile {profile!r} not found: give a file or one of '
            f'{names} (configs/pipelines/)')
    cfg = Config.fromfile(path)
    if not cfg.get('stages', None):
        raise KeyError(f'profile {path} has no `stages` list')
    return cfg


class Row(NamedTuple):
    """One line of the results table."""
    stage: str
    what: str
    miou: Optional[float]
    details: str
    seconds: float


class PipelineStage:
    """A stage of a profile: runs tools, records its result.

    Subclasses implement :meth:`run` (returning the result dict, which the
    pipeline keeps under the stage's name; training and map stages write a
    done marker (:mod:`~mmdrs.pipeline.markers`) so a re-run skips them)
    and :meth:`rows` (the stage's lines of the results table).

    Args:
        name (str): Unique stage name (``--stages`` selects by it).
        what (str): Description for the results table.
    """

    def __init__(self, name: str, what: str = ''):
        self.name = name
        self.what = what

    def cfg_options(self, options: Sequence[str]) -> List[str]:
        """A stage's extra ``--cfg-options``, checked: a list of
        ``KEY=VALUE`` strings (a bare string - e.g. ``--set
        maps.options=[a=1]``, which is not a Python literal - would
        otherwise be read one character at a time).

        Raises:
            ValueError: ``options`` is a string or holds anything but
                ``KEY=VALUE`` strings.
        """
        if isinstance(options, str) or not all(
                isinstance(o, str) and '=' in o for o in options):
            raise ValueError(
                f'stage {self.name}: options must be a list of KEY=VALUE '
                f"strings (e.g. --set \"{self.name}.options="
                f"['map_cfg.flip=True']\"), got {options!r}")
        return list(options)

    def out_dir(self, pipe: 'Pipeline') -> str:
        """Folder of the stage's outputs and done marker."""
        return pipe.path(self.name)

    @staticmethod
    def clear(pipe: 'Pipeline', *dirs: str) -> None:
        """With ``--force``, remove a stage's previous outputs (the tools
        keep finished files to resume, which must not mix runs)."""
        if pipe.force:
            for d in dirs:
                shutil.rmtree(d, ignore_errors=True)

    def run(self, pipe: 'Pipeline') -> Optional[dict]:
        raise NotImplementedError

    def rows(self, pipe: 'Pipeline', res: dict) -> List[Row]:
        """The stage's lines of the results table."""
        return []


class Pipeline:
    """The stages of a profile over one dataset and one work dir.

    Args:
        profile (Config): A loaded profile (:func:`load_profile`).
        work_dir (str, optional): Overrides the profile's ``work_dir``.
        data_root (str, optional): Overrides the profile's ``data_root``.
        stages (Sequence[str], optional): Run only these stages.
        gpus (int): Processes per training/map job.
        force (bool): Re-run stages whose outputs exist.
        variables (dict, optional): Overrides of the profile's variables
            (``img_size``, ``epochs``, ``seg_iters``, ``toy_size`` ...).
        overrides (dict, optional): ``{stage name: {argument: value}}``
            changing stage arguments (e.g. another config).
    """

    def __init__(self,
                 profile: Config,
                 work_dir: Optional[str] = None,
                 data_root: Optional[str] = None,
                 stages: Optional[Sequence[str]] = None,
                 gpus: int = 1,
                 force: bool = False,
                 variables: Optional[dict] = None,
                 overrides: Optional[dict] = None):
        self.profile = profile
        self.work_dir = work_dir or profile.get('work_dir', None)
        self.data_root = data_root or profile.get('data_root', None)
        if not self.work_dir:
            raise ValueError('no work dir: pass --work-dir or set work_dir in '
                             'the profile')
        if not self.data_root:
            raise ValueError('no data root: pass --data-root (a VOC-layout '
                             'folder)')
        self.vars = dict(profile.get('variables', None) or {})
        self.vars.update({k: v for k, v in (variables or {}).items()
                          if v is not None})
        self.gpus = gpus
        self.force = force
        specs = [dict(s) for s in profile.stages]
        names = [s.get('name', s['type']) for s in specs]
        for stage, args in (overrides or {}).items():
            if stage not in names:
                raise ValueError(f'override of unknown stage {stage!r}; '
                                 f'this profile has {names}')
            specs[names.index(stage)].update(args)
        self.stages = [PIPELINE_STAGES.build(s) for s in specs]
        names = [s.name for s in self.stages]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f'profile stages {dup} appear twice')
        unknown = sorted(set(stages or []) - set(names))
        if unknown:
            raise ValueError(f'unknown stages {unknown}; this profile has '
                             f'{names}')
        self.selected = list(stages) if stages else names
        self.results: Dict[str, dict] = {}
        self._data = None
        self.t_start: Optional[float] = None  # set by run()

    # -- shared facts --------------------------------------------------
    def path(self, *p) -> str:
        return osp.join(self.work_dir, *p)

    def stage(self, name: str) -> PipelineStage:
        for s in self.stages:
            if s.name == name:
                return s
        raise KeyError(f'no stage {name!r} in this profile '
                       f'({[s.name for s in self.stages]})')

    @property
    def data(self) -> dict:
        """The dataset's class list and whether it has saliency maps."""
        if self._data is None:
            from ..datasets.dataset_check import folder_classes
            self._data = dict(
                classes=folder_classes(self.data_root),
                saliency=osp.isdir(osp.join(self.data_root,
                                            'SaliencyMaps')))
        return self._data

    def result(self, name: str) -> Optional[dict]:
        """A stage's result: this run's, else its recorded marker."""
        if name not in self.results:
            done = read_done_marker(self.stage(name).out_dir(self))
            if done is None:
                return None
            self.results[name] = done
        return self.results[name]

    def require(self, name: str, key: str = 'checkpoint'):
        """A finished stage's ``key`` or an error naming the stage."""
        res = self.result(name)
        if res is None or key not in res:
            done = done_marker(self.stage(name).out_dir(self))
            raise RuntimeError(f'stage {name!r} has not run yet (no {done}); '
                               f'run it first (--stages {name})')
        return res[key]

    # -- running ---------------------------------------------------------
    def run(self) -> dict:
        os.makedirs(self.work_dir, exist_ok=True)
        self.t_start = time.time()
        for stage in self.stages:
            if stage.name in self.selected:
                res = stage.run(self)
                if res is not None:
                    self.results[stage.name] = res
        return self.results

    def table_rows(self) -> List[Row]:
        rows = []
        for stage in self.stages:
            res = self.result(stage.name)
            if res is not None:
                rows += stage.rows(self, res)
        return rows
