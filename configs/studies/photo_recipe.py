# Real photographs (data/voc_mini): the cpu profile end to end (`base`)
# and its levers one at a time - the CAM levers run the classifier and map
# stages only -, 3 seeds each; every choice made on `train` (maps and pseudo
# labels are scored on the train masks; val only scores the segmentation).
#   python tools/analysis/sweep.py configs/studies/photo_recipe.py \
#       [--variants base ...] [--seeds 0 1 2]
# Results: configs/drs/README.md ("Real photographs at CPU scale").
profile = 'cpu'
data_root = None  # the profile's: data/voc_mini
work_dir = 'work_dirs/photo_recipe'
seeds = [0, 1, 2]
metrics = [
    'maps-no-drs.cam/mIoU', 'maps-no-drs.cam/best_threshold',
    'maps-drs.cam/mIoU', 'maps-drs.cam/best_threshold',
    'refined-maps.cam/mIoU',
    'pseudo-labels.pseudo/mIoU', 'segmentation.mIoU', 'no-drs.seconds',
    'drs.seconds', 'segmentation.seconds', 'seg-labels.pseudo/mIoU',
    'segmentation-st.mIoU'
]
# a segmentation setting is chosen on train too: DeepLab's own predictions
# on the train photos (with and without the authors' dense CRF, the better
# on the train masks kept) scored on the train masks, and - one round of
# self-training - a second DeepLab-V3+ trained on them
extra_stages = [
    dict(type='PredictedPseudoLabels', name='seg-labels',
         model='segmentation', split='train',
         what="DeepLab-V3+'s predictions on train"),
    dict(type='TrainSegmentor', name='segmentation-st',
         config='configs/drs/cpu/cpu_deeplabv3plus_pseudo.py',
         labels='seg-labels',
         what='DeepLab-V3+ on its predictions (self-training)'),
]
cams = ['check', 'no-drs', 'drs', 'maps-no-drs', 'maps-drs']
# a DRS-only lever: the plain classifier and its maps are base's
_plain = dict(variant='base', stages=['check', 'no-drs', 'maps-no-drs'])
# a map-level lever: both classifiers are base's
_classifiers = dict(variant='base', stages=['check', 'no-drs', 'drs'])
# a segmentation lever: everything up to the pseudo labels is base's
_labels = [
    'check', 'no-drs', 'drs', 'maps-no-drs', 'maps-drs', 'refine',
    'refined-maps', 'pseudo-labels'
]
# a segmentation lever on the profile's labels (the DRS maps' labels, as
# `drs_labels` makes them: the refinement loses on photos, so the profile's
# selection keeps them anyway)
_drs_labels = dict(variant='drs_labels', stages=cams + ['pseudo-labels'])
_drs_maps = {'pseudo-labels': dict(maps=['maps-drs'])}


def _seg_lever(variables=None, **segmentation):
    """DeepLab-V3+ with the stage arguments ``segmentation`` (e.g.
    ``config``, ``options``) and the pipeline ``variables`` on `drs_labels`'
    labels, scored on train and val."""
    return dict(stages=['segmentation', 'seg-labels'], reuse=_drs_labels,
                overrides=dict(_drs_maps, segmentation=segmentation),
                variables=variables or {})


# the profile's labels (refined maps since 2026-12-07): `refine_full`'s
_refined = ['check', 'no-drs', 'drs', 'maps-no-drs', 'maps-drs', 'refine',
            'refined-maps']


def _refine_lever(through_deeplab=False, **refine):
    """Refinement with the stage arguments ``refine`` on `base`'s
    classifiers and maps, through the pseudo labels (and DeepLab-V3+)."""
    return dict(stages=['check', 'refine', 'refined-maps', 'pseudo-labels'] +
                (['segmentation'] if through_deeplab else []),
                reuse=dict(variant='base', stages=cams),
                overrides={'refine': refine})


def _map_lever(*options):
    """The refined maps with the map stage's ``options`` on `refine_full`'s
    refiners, through the pseudo labels."""
    return dict(stages=['refined-maps', 'pseudo-labels'],
                reuse=dict(variant='refine_full', stages=_refined[:-1]),
                overrides={'refined-maps': dict(options=list(options))})


variants = dict(
    # the cpu profile as it stands: 320-px classifiers since 2026-12-07 (the
    # variants below were measured against the 224-px profile; their rows
    # in configs/drs/README.md are re-made at commit 382fccd, where base
    # was 224 px and `in320` / `in320_labels` measured the switch)
    base=dict(),
    # DRS at the paper's learnable delta in the head instead of the fixed
    # 0.7, through the whole pipeline (its maps built as trained: before
    # 2026-12-07 the maps of this lever were made at delta 0.7)
    drs_learnable=dict(
        stages=['check', 'drs', 'maps-drs', 'refine', 'refined-maps',
                'pseudo-labels', 'segmentation'],
        reuse=_plain,
        overrides={
            'drs': dict(options=['model.cam_head.drs_cfg.delta=learnable'])
        }),
    # DRS's fixed delta in the head: the commonly used 0.55 and 0.85
    # instead of the profile's 0.7 (chosen on the toy's shapes)
    **{f'drs_delta{d[2:]}': dict(
        stages=['check', 'drs', 'maps-drs'], reuse=_plain,
        overrides={'drs': dict(
            options=[f'model.cam_head.drs_cfg.delta={d}'])})
       for d in ('0.55', '0.85')},
    # DRS (fixed delta 0.7) in the last two backbone stages instead of the
    # head convs
    drs_backbone=dict(stages=cams, reuse=_plain, overrides={
        'drs': dict(config='configs/drs/cpu/cpu_cls_drs-backbone.py')
    }),
    # CAM on the 1280-channel ImageNet head-conv features, 1x1 classifier
    # (DRS: in place of that conv's ReLU6)
    feat1280=dict(stages=cams, overrides={
        'no-drs': dict(config='configs/drs/cpu/cpu_cls_no-drs_feat1280.py'),
        'drs': dict(config='configs/drs/cpu/cpu_cls_feat1280.py')
    }),
    # nothing frozen in the classifiers' backbone (the profile freezes the
    # stem and stages 1-3)
    unfrozen=dict(stages=cams, overrides={
        s: dict(options=['model.backbone.backbone.frozen_stages=-1'])
        for s in ('no-drs', 'drs')
    }),
    # a longer schedule
    e12=dict(stages=cams, variables=dict(epochs=12)),
    # maps: flipped passes too (max-fused with the 3 scales)
    flip=dict(stages=cams, reuse=_classifiers, overrides={
        m: dict(options=['map_cfg.flip=True'])
        for m in ('maps-no-drs', 'maps-drs')
    }),
    # segmentation: DeepLab-V3+ 1,500 iterations on base's pseudo labels
    # (fully supervised, 500 -> 1,500 iterations: 31.7 -> 46.5 val)
    seg1500=dict(reuse=dict(variant='base', stages=_labels),
                 variables=dict(seg_iters=1500)),
    # labels: RRM's reliable-region rule (255 where the CAMs and two dense
    # CRFs disagree) instead of the threshold rule; DeepLab on them
    reliable=dict(reuse=dict(variant='base', stages=_labels[:-1]),
                  overrides={'pseudo-labels': dict(
                      type='ReliablePseudoLabels', crf=(False, ))}),
    # refinement: Adam lr 1e-3 instead of the paper's 1e-4 (its 186 steps on
    # the photos barely move the refiner: MSE 0.020 -> 0.017), same budget
    # (measured on the 4-stage refiner of commit 382fccd; at HEAD it varies
    # the profile's full-depth refiner)
    refine_lr=_refine_lever(options=['optim_wrapper.optimizer.lr=1e-3']),
    # refinement on the 320-px profile's DRS maps with the refiner of the
    # profile until 2026-12-07 (Lite0's first 4 stages from ImageNet), with
    # the classifiers' full-depth network from ImageNet weights, and with
    # that network started from the DRS classifier's backbone (`refine_full`
    # is the profile's refiner since 2026-12-07)
    refine320=_refine_lever(config='configs/drs/cpu/cpu_refine.py',
                            init_backbone=None),
    refine_full=_refine_lever(through_deeplab=True, init_backbone=None),
    refine_from_drs=_refine_lever(through_deeplab=True, init_backbone='drs'),
    # maps: scales 1, 1.5 and 2 x the input (measured at 224 px: 224/336/448)
    scales_up=dict(stages=cams, reuse=_classifiers, overrides={
        m: dict(options=['map_cfg.scales=(320,480,640)'])
        for m in ('maps-no-drs', 'maps-drs')
    }),
    # both classifiers' 3 head convs 1x1 instead of 3x3 (three 3x3 convs
    # spread a class map by 3 cells each side: half of a 14x14 map)
    head_k1=dict(stages=cams, overrides={
        s: dict(options=['model.cam_head.kernel_size=1'])
        for s in ('no-drs', 'drs')
    }),
    # ... and 5x5 (a class map spreads 2 cells per conv)
    head_k5=dict(stages=cams, overrides={
        s: dict(options=['model.cam_head.kernel_size=5'])
        for s in ('no-drs', 'drs')
    }),
    # base's DRS maps through the same label stage and DeepLab-V3+ as
    # scales_up_labels (its control; the refinement loses on photos in every
    # seed, so the profile's selection keeps these maps anyway)
    drs_labels=dict(
        stages=['check', 'pseudo-labels', 'segmentation'],
        reuse=dict(variant='base', stages=cams),
        overrides={'pseudo-labels': dict(maps=['maps-drs'])}),
    # scales_up's DRS maps through pseudo labels and DeepLab-V3+ (labels from
    # the DRS maps only: refinement loses on photos in every seed, so the
    # profile's selection keeps these anyway)
    scales_up_labels=dict(
        stages=['check', 'maps-drs', 'pseudo-labels', 'segmentation'],
        reuse=_classifiers,
        overrides={
            'maps-drs': dict(options=['map_cfg.scales=(320,480,640)']),
            'pseudo-labels': dict(maps=['maps-drs'])
        }),
    # drs_labels' DeepLab-V3+ scored on the train masks, and one round of
    # self-training on its predictions (the control of the seg_* levers)
    seg_round2=dict(
        stages=['seg-labels', 'segmentation-st'],
        reuse=dict(variant='drs_labels', stages=cams + [
            'pseudo-labels', 'segmentation']),
        overrides=_drs_maps),
    # DeepLab-V3+ with the DRS authors' self-training term (their argmax
    # over the photo's classes, weight 1) beside the label cross-entropy
    seg_selftrain=_seg_lever(
        config='configs/drs/cpu/cpu_deeplabv3plus_pseudo_selftrain.py'),
    # DeepLab-V3+ with RRM's dense CRF loss beside the label cross-entropy
    seg_dense=_seg_lever(
        config='configs/drs/cpu/cpu_deeplabv3plus_pseudo_dense.py'),
    # DeepLab-V3+ 1,500 iterations instead of 500 (on its own labels the
    # 500-iteration DeepLab fits them to 41 mIoU: it under-fits)
    seg_long=_seg_lever(variables=dict(seg_iters=1500)),
    # DeepLab-V3+ at twice the lr (0.02; the new head 0.2), 500 iterations
    seg_lr2x=_seg_lever(options=['optim_wrapper.optimizer.lr=0.02']),
    # DeepLab-V3+ whose backbone starts from the DRS classifier's (trained
    # on the same photos' image labels) instead of ImageNet's
    seg_init_drs=_seg_lever(init_backbone='drs'),
    # the profile's DeepLab-V3+ (`refine_full`'s) scored on train: the
    # control of the label levers below
    refine_full_train=dict(
        stages=['seg-labels'],
        reuse=dict(variant='refine_full',
                   stages=_refined + ['pseudo-labels', 'segmentation'])),
    # labels: pixels on which the rule at its background score - and + 0.1
    # disagrees ignored (IRN's confident regions: 21 % of the train pixels,
    # precision 77 -> 83 % on seed 0), DeepLab-V3+ on them
    label_band10=dict(
        stages=['pseudo-labels', 'segmentation', 'seg-labels'],
        reuse=dict(variant='refine_full', stages=_refined),
        overrides={'pseudo-labels': dict(ignore_margin=0.1)}),
    # DeepLab-V3+ 1,000 iterations instead of 500 on the profile's labels
    # (what the channels-last speed-up pays for within the 30 minutes):
    # train +2.60 ± 0.11 (every seed), val +0.74 ± 1.23 - the profile's
    # DeepLab since 2026-12-07 (fourth session); `refine_full` ran at 500
    seg_iters1000=dict(
        stages=['segmentation', 'seg-labels'],
        reuse=dict(variant='refine_full', stages=_refined + ['pseudo-labels']),
        variables=dict(seg_iters=1000)),
    # ... and 1,500: train +2.90 ± 0.48, val +2.12 ± 0.22 over 1,000 (every
    # seed); not the default: ~29.4 min on the AVX-512 machine, too close
    # to the 30 (configs/drs/README.md, fifth session)
    seg_iters1500=dict(
        stages=['segmentation', 'seg-labels'],
        reuse=dict(variant='refine_full', stages=_refined + ['pseudo-labels']),
        variables=dict(seg_iters=1500)),
    # the labels' dense CRF with PSA's colour kernel (srgb 13, what the
    # CRF on the labels used until the sixth session of 2026-12-07) instead
    # of IRN's (srgb 5, the profile's since): IRN's +2.38 ± 0.11 on the
    # labels, every seed (configs/drs/README.md, sixth session)
    label_crf_psa=dict(
        stages=['pseudo-labels'],
        reuse=dict(variant='refine_full', stages=_refined),
        overrides={'pseudo-labels': dict(crf_cfg=dict(bilateral_srgb=13))}),
    # the refined maps at the refiner's training size x 0.8 / 1 / 1.2
    # (180/224/268: the profile's until the seventh session of 2026-12-07)
    # instead of the classifiers' and the paper's 256/320/384: on the same
    # refiners the refined maps score 1.4 ± 0.4 and the labels 1.3 ± 0.5
    # lower, every seed (configs/drs/README.md, seventh session)
    refined_scales224=_map_lever('map_cfg.scales=(180,224,268)'),
    # ... and two more map levers on the same refiners (seventh session,
    # not adopted): the photos squashed to 320 instead of 224 before the
    # scales (refined maps +0.12 ± 0.02, labels -0.03 ± 0.59), the scales
    # 320/384/448 (refined maps +0.42 ± 0.38, labels -0.67 ± 0.95); these
    # three were measured on the 224-px refiners of commit 9f7f41b: the
    # profile's refiner trains on 320-px photos since, and squashes the
    # photos to 320 itself (`refined_squash320` is the profile there)
    refined_squash320=_map_lever(
        'test_dataloader.dataset.pipeline.1.scale=(320,320)'),
    refined_scales384=_map_lever('map_cfg.scales=(320,384,448)'),
    # the refiner on 320-px inputs for 2 epochs (the paper's input size and
    # the classifiers') instead of 224 px for 6 - measured as the variant
    # `refine320px` at commit 9f7f41b (3 seeds: refined maps +1.45 ± 0.20,
    # labels +1.60 ± 0.69, every seed, in about half the refiner's time) -
    # is the profile's refiner since the eighth session of 2026-12-07; the
    # 224-px refiner is `base`'s at that commit (configs/drs/README.md)
    # ... and on 384-px photos (the pipeline's img_size sizes the refiner;
    # its maps from photos squashed to 384, kept at 256/320/384): labels
    # +0.24 ± 0.11 (every seed), refined maps +0.23 ± 0.27, for 1.44x the
    # refiner's FLOPs - not adopted (eighth session)
    refine384px=dict(
        _refine_lever(options=['map_cfg.scales=(256,320,384)']),
        variables=dict(img_size=384)),
    # the profile's refined maps with flipped passes too (max-fused): maps
    # -0.03 ± 0.22, labels -0.09 ± 0.67 - not adopted (eighth session)
    refined_flip=_map_lever('map_cfg.flip=True'),
)
