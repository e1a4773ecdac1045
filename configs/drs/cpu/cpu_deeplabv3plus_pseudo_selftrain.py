# The DRS authors' self-training term (their DeepLab-V2 train.py) on the
# real-photograph DeepLab-V3+: cross-entropy on the pseudo labels plus
# cross-entropy on the network's own argmax over the photo's classes
# (background + its image-level tags), weight 1.
_base_ = ['./cpu_deeplabv3plus_pseudo_tags.py']
model = dict(extra_losses=[dict(type='SelfTrainingLoss', mask='multiply')])
work_dir = 'work_dirs/cpu/deeplabv3plus_selftrain'
