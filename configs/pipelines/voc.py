# The paper's pipeline on PASCAL VOC 2012 + SBD (data/VOCdevkit/VOC2012 as
# made by mmseg's voc_aug converter, SaliencyMaps/ from PoolNet):
#   python tools/run_pipeline.py --profile voc --gpus 4
# VGG-16 D1 classifiers (plain CAM; learnable DRS, the paper's), the paper's
# maps (320x320, floor-quantised refinement targets), refinement learning,
# raw refined maps, pseudo labels with the saliency rules (the paper keeps
# refinement: no selection), DeepLab-V3+ with the authors' recipe.
work_dir = 'work_dirs/drs_voc'
data_root = 'data/VOCdevkit/VOC2012'
variables = dict()
stages = [
    dict(type='CheckData', name='check'),
    dict(type='TrainClassifier', name='no-drs',
         config='configs/drs/voc_cls_no-drs.py',
         what='plain CAM classifier (VGG-16)'),
    dict(type='TrainClassifier', name='drs', config='configs/drs/voc_cls.py',
         what='DRS classifier (VGG-16, learnable delta)'),
    dict(type='Maps', name='maps-no-drs', model='no-drs', split='train',
         what='no-DRS maps, 3 scales'),
    dict(type='Maps', name='maps-drs', model='drs', split='trainaug',
         out_size=(320, 320), quantize='floor',
         what='DRS maps (320x320 targets), 3 scales'),
    dict(type='TrainRefiner', name='refine',
         config='configs/drs/voc_refine.py', targets='maps-drs',
         what='refinement network'),
    dict(type='Maps', name='refined-maps', model='refine', split='trainaug',
         out='refined', normalize_eval=True,
         what='refined maps (raw), 3 scales'),
    dict(type='PseudoLabels', name='pseudo-labels', maps=['refined-maps'],
         workers=8),
    dict(type='TrainSegmentor', name='segmentation',
         config='configs/drs/deeplabv3plus_r101-d16_voc12aug_pseudo_paper.py',
         labels='pseudo-labels',
         what='DeepLab-V3+ (authors\' recipe) on pseudo labels'),
    dict(type='Report', grid=['maps-no-drs', 'maps-drs', 'refined-maps']),
]
