# The DRS authors' self-training term (their DeepLab-V2 train.py) on the
# toy DeepLab-V3+ pseudo-label config: cross-entropy on the pseudo labels
# plus cross-entropy on the network's own argmax over the image's classes.
_base_ = ['./toy_deeplabv3plus_pseudo_tags.py']
model = dict(extra_losses=[dict(type='SelfTrainingLoss', mask='multiply')])
work_dir = 'work_dirs/toy/deeplabv3plus_selftrain'
