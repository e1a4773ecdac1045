# The toy demo plus RRM (configs/rrm/), reported beside DRS in one table:
# - `rrm`: RRM's one-step segmentor (classification + segmentation branches
#   on the ImageNet EfficientNet-Lite0, reliable-region labels made on the
#   fly, dense energy loss), trained from the image-level labels alone;
# - `pseudo-labels-reliable` + `segmentation-reliable`: RRM's reliable-
#   region rule as a saliency-free pseudo-label rule on the DRS pipeline's
#   maps (make_pseudo_labels --mode reliable), then the same DeepLab-V3+.
# On a finished toy work dir only the new stages run:
#   python tools/run_pipeline.py --profile toy_rrm [--set rrm.iters=300]
_base_ = ['./toy.py']
rrm = dict(
    type='TrainOneStepSegmentor',
    name='rrm',
    config='configs/rrm/toy_rrm_efficientnet-lite0.py',
    what='RRM one-step segmentor (image labels only)')
pseudo_labels_reliable = dict(
    type='ReliablePseudoLabels',
    name='pseudo-labels-reliable',
    maps=['refined-maps', 'maps-drs'],
    what='reliable-region pseudo labels')
segmentation_reliable = dict(
    type='TrainSegmentor',
    name='segmentation-reliable',
    config='configs/drs/toy/toy_deeplabv3plus_pseudo.py',
    labels='pseudo-labels-reliable',
    what='DeepLab-V3+ on reliable-region pseudo labels')
stages = [
    {{_base_.data}}, {{_base_.check}}, {{_base_.no_drs}}, {{_base_.drs}},
    {{_base_.drs_learnable}}, {{_base_.maps_no_drs}}, {{_base_.maps_drs}},
    {{_base_.refine}}, {{_base_.refined_maps}}, {{_base_.pseudo_labels}},
    {{_base_.segmentation}}, rrm, pseudo_labels_reliable,
    segmentation_reliable, {{_base_.report}}
]
