# The authors' DeepLab-V3+ evaluation protocol (VainF's --crop_val): val
# images resized so the shorter side is 513, then centre-cropped to 513x513.
_base_ = ['./deeplabv3plus_r101-d16_voc12aug_pseudo_paper.py']
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='ResizeShortestEdge', scale=513, max_size=100000),
    dict(type='CenterCrop', crop_size=513),
    dict(type='PackSegInputs')
]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
