"""RRM stages: the one-step segmentor, and reliable-region pseudo labels."""
from ..binding import one_step_iteration_options
from ..registry import PIPELINE_STAGES
from ..runner import Row
from .labeling import PseudoLabels
from .train import TrainStage


@PIPELINE_STAGES.register_module()
class TrainOneStepSegmentor(TrainStage):
    """A one-step WSSS segmentor (e.g. RRM, ``configs/rrm/``) trained from
    the image-level labels alone, evaluated by mmseg on the val masks.

    Args:
        iters (int, optional): Overrides the config's iterations (its
            classification-only warm-up stays the same share of them),
            e.g. ``--set rrm.iters=300``.
        **kwargs: :class:`TrainStage` arguments.
    """

    def __init__(self, *args, iters=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.iters = int(iters) if iters not in (None, 'None') else None

    def options(self, pipe, cfg):
        opts = super().options(pipe, cfg)
        if self.iters:
            opts += one_step_iteration_options(cfg, self.iters)
        return opts

    def rows(self, pipe, res):
        return [Row(self.name, f'{self.what}, val mIoU (real masks)',
                    res.get('mIoU'), f"aAcc {res.get('aAcc')}",
                    res['seconds'])]


@PIPELINE_STAGES.register_module()
class ReliablePseudoLabels(PseudoLabels):
    """Pseudo labels by RRM's reliable-region rule
    (``make_pseudo_labels --mode reliable``): saliency-free, 255 where the
    CAMs and two dense CRFs are unsure. Candidates and selection as
    :class:`PseudoLabels`; the result also holds the labels' precision and
    coverage against the masks."""

    def _rule(self, pipe, maps_stage, crf=False):
        return dict(mode='reliable')  # the rule's own two CRFs

    def run(self, pipe):
        from ...apis.label_generation import make_pseudo_labels
        res = super().run(pipe)
        if res is not None:  # score the written labels (PNGs are kept)
            ev = make_pseudo_labels(pipe.require(res['maps'], 'maps'),
                                    pipe.data_root, res['labels'],
                                    split=self.split, mode='reliable',
                                    workers=self.workers)
            res['pseudo/precision'] = ev.get('precision')
            res['pseudo/coverage'] = ev.get('coverage')
        return res

    def rows(self, pipe, res):
        rows = [r for r in super().rows(pipe, res) if r[0] != self.name]
        rows.append(Row(self.name, f"{self.what} from {res['maps']} vs "
                        f'{self.split} masks', res.get('pseudo/mIoU'),
                        f"precision {res.get('pseudo/precision')}, coverage "
                        f"{res.get('pseudo/coverage')} (reliable-region rule, "
                        'no saliency)',
                        res['seconds']))
        return rows
