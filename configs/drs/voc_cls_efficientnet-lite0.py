# The paper's recipe with the backbone swapped for ImageNet EfficientNet-Lite0.
_base_ = [
    '../_base_/models/drs_efficientnet_lite0.py',
    '../_base_/datasets/voc12aug_image_labels.py',
    '../_base_/schedules/drs_cls_15e.py', '../_base_/default_runtime.py'
]
