"""Pseudo-label stage: maps -> label PNGs, choosing the better map set."""
from typing import Optional, Sequence, Union

from ..registry import PIPELINE_STAGES
from ..runner import PipelineStage, Row
from ..tool_runs import run_stage

#: candidate-name suffix of each CRF setting
CRF_SUFFIX = {False: '', True: '+crf', 'labels': '+crf-labels'}


@PIPELINE_STAGES.register_module()
class PseudoLabels(PipelineStage):
    """Pseudo labels of ``split`` from the maps of one of the ``maps`` stages.

    Background rule: the paper's saliency rules when the data has saliency
    maps, otherwise a constant background score at the chosen maps' best
    threshold (from their ``Maps`` evaluation; raw refined maps are
    max-normalised per image for it). With saliency, a saliency-free
    variant is scored too, for comparison.

    With several candidate map sets (e.g. refined maps and the DRS maps
    they were trained on) each one's pseudo labels of the ``select_split``
    images (``train``: pixel GT, the WSSS convention for model selection)
    are scored, and the labels of ``split`` come from the best candidate
    (the first on a tie) - the pipeline keeps a stage only where it helps,
    and the table shows every candidate's score.

    Without saliency maps a dense CRF on the threshold rule's scores
    (``crf``; the ``crf`` extra) is a candidate too, chosen the same way:
    each (maps, CRF or not) pair is scored on ``select_split``.

    Args:
        name (str): Stage name (also the output folder under the work dir).
        maps (Sequence[str]): Candidate ``Maps`` stages, preferred first.
        crf (Sequence[bool | str]): Candidate CRF settings of the threshold
            rule, preferred first: ``False`` (none), ``True`` (on the
            scores), ``'labels'`` (on the rule's labels); see
            :func:`~mmdrs.apis.label_generation.pseudo_label`. Ignored with
            saliency maps (the paper's rules have no CRF).
        split (str): Split to label. Defaults to ``'trainaug'``.
        select_split (str): Split scoring the candidates.
        workers (int): Worker processes.
        ignore_margin (float): Without saliency maps, the labels of
            ``split`` ignore (255) the pixels on which the chosen rule at
            its background score ± this margin disagrees (IRN's confident
            regions; :func:`~mmdrs.apis.label_generation.pseudo_label`).
            The candidates are chosen at 0 (their mIoU counts ignored
            pixels as misses). Defaults to 0: nothing ignored.
        out (str, optional): Output folder under the work dir; defaults to
            the stage's name.
        what (str): Description for the results table.
    """

    def __init__(self,
                 name: str,
                 maps: Sequence[str],
                 split: str = 'trainaug',
                 select_split: str = 'train',
                 workers: int = 2,
                 out: str = None,
                 crf: Sequence[Union[bool, str]] = (False, ),
                 ignore_margin: float = 0.0,
                 crf_cfg: Optional[dict] = None,
                 what: str = 'pseudo labels'):
        super().__init__(name, what)
        self.out = out or name
        if isinstance(maps, str):
            maps = [maps]
        if not maps:
            raise ValueError(f'stage {name}: no candidate maps')
        if isinstance(crf, (bool, str)):
            crf = [crf]
        bad = [c for c in crf if c not in CRF_SUFFIX]
        if not crf or bad:
            raise ValueError(f'stage {name}: CRF candidates must be some of '
                             f'{list(CRF_SUFFIX)}, got {list(crf)}')
        self.maps = list(maps)
        self.crf = list(crf)
        self.split = split
        self.select_split = select_split
        self.workers = workers
        self.ignore_margin = ignore_margin
        if crf_cfg is not None and not isinstance(crf_cfg, dict):
            raise TypeError(f'stage {name}: crf_cfg must be a dict of dense '
                            f'CRF settings, got {crf_cfg!r}')
        self.crf_cfg = crf_cfg

    def out_dir(self, pipe):
        return pipe.path(self.out)

    def _rule(self, pipe, maps_stage: str, crf=False) -> dict:
        if pipe.data['saliency']:
            return dict(mode='saliency')
        rule = dict(self._threshold_rule(pipe, maps_stage), crf=crf)
        if crf and self.crf_cfg:
            rule['crf_cfg'] = dict(self.crf_cfg)
        return rule

    def _candidates(self, pipe):
        """(name, maps stage, CRF) of every candidate, preferred first."""
        crfs = [False] if pipe.data['saliency'] else self.crf
        return [(m + CRF_SUFFIX[c], m, c) for m in self.maps for c in crfs]

    @staticmethod
    def _threshold_rule(pipe, maps_stage: str) -> dict:
        """Constant background at the maps' best threshold (per-image
        normalised maps where the threshold was found on those)."""
        res = pipe.result(maps_stage) or {}
        return dict(mode='constant',
                    bg_score=res.get('cam/best_threshold', 0.15),
                    normalize=pipe.stage(maps_stage).normalize_eval)

    def run(self, pipe):
        from ...apis.label_generation import crf_settings, make_pseudo_labels
        out = self.out_dir(pipe)
        self.clear(pipe, out, out + '_threshold', f'{out}_select')

        def label(maps_stage, split, dest, rule):
            maps = pipe.require(maps_stage, 'maps')
            return make_pseudo_labels(maps, pipe.data_root, dest,
                                      split=split, workers=self.workers,
                                      **rule)

        def fn():
            scores = {}
            cands = self._candidates(pipe)
            if len(cands) > 1:
                for name, m, c in cands:
                    r = label(m, self.select_split,
                              pipe.path(f'{self.out}_select', name),
                              self._rule(pipe, m, c))
                    scores[name] = r['mIoU']
                best = max(scores[n] or 0 for n, _, _ in cands)
                _, chosen, crf = next(
                    cand for cand in cands if (scores[cand[0]] or 0) == best)
            else:
                _, chosen, crf = cands[0]
            rule = self._rule(pipe, chosen, crf)
            if self.ignore_margin and rule['mode'] == 'constant':
                rule['ignore_margin'] = self.ignore_margin
            res = label(chosen, self.split, out, rule)
            result = {
                'labels': out,
                'maps': chosen,
                'crf': rule.get('crf', False),
                # every setting of that CRF: what made the labels, whatever
                # the defaults are when they are read
                'crf_cfg': crf_settings(rule.get('crf', False),
                                        rule.get('crf_cfg')),
                'rule': rule['mode'],
                'pseudo/mIoU': res['mIoU'],
                'pseudo/ignored_pct': res['ignored_pct'],
                'select/mIoU': scores,
                'select_split': self.select_split
            }
            if rule['mode'] == 'constant':
                result['pseudo/bg_score'] = rule['bg_score']
                result['pseudo/ignore_margin'] = rule.get('ignore_margin', 0)
                result['pseudo/precision'] = res.get('precision')
            else:  # the saliency-free rule on the same maps, for comparison
                thr = self._threshold_rule(pipe, chosen)
                alt = label(chosen, self.split, out + '_threshold', thr)
                result['pseudo_threshold/mIoU'] = alt['mIoU']
                result['pseudo_threshold/bg_score'] = thr['bg_score']
            return result

        return run_stage(self.name, out, fn, pipe.force)

    def rows(self, pipe, res):
        rows = []
        chosen = res['maps'] + CRF_SUFFIX[res.get('crf', False)]
        for m, v in (res.get('select/mIoU') or {}).items():
            mark = ' (chosen)' if m == chosen else ''
            rows.append(Row(f'{self.name}[{m}]', f'{self.what} from {m} on '
                            f"{res['select_split']} (selection){mark}", v, '',
                            0.0))
        if res['rule'] == 'saliency':
            rule = ('saliency rules; without saliency (bg '
                    f"{res.get('pseudo_threshold/bg_score')}) "
                    f"{res.get('pseudo_threshold/mIoU')}")
        else:
            margin = res.get('pseudo/ignore_margin')
            rule = (f"no saliency maps: constant background "
                    f"{res.get('pseudo/bg_score')}" +
                    (f' ± {margin} (disagreement ignored; precision '
                     f"{res.get('pseudo/precision')} %)" if margin else '') +
                    (f", dense CRF ({CRF_SUFFIX[res['crf']][1:]})"
                     if res.get('crf') else ''))
        rows.append(Row(self.name, f"{self.what} from {chosen} vs "
                        f'{self.split} masks', res.get('pseudo/mIoU'),
                        f"{res.get('pseudo/ignored_pct')} % ignored; {rule}",
                        res['seconds']))
        return rows
