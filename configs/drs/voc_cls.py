# DRS classifier, the paper's recipe: VGG-16 D1 + learnable DRS on VOC12
# train_aug, batch 5 per GPU. Documented command (4 GPUs):
#   bash tools/dist_train.sh configs/drs/voc_cls.py 4
_base_ = [
    '../_base_/models/drs_vgg16_d1.py',
    '../_base_/datasets/voc12aug_image_labels.py',
    '../_base_/schedules/drs_cls_15e.py', '../_base_/default_runtime.py'
]
