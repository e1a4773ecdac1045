# The real-photograph DeepLab-V3+ on pseudo labels with RRM's dense CRF loss
# beside the cross-entropy (a regularised loss, Tang et al. 2018, with RRM's
# gate): the constants of RRM's photo config (cpu_rrm_efficientnet-lite0.py:
# the authors' widths and weight scaled from their 321 crop to 224, the
# loss on half-resolution probabilities through the permutohedral lattice).
# The labels have no ignored pixels, so the gate is 1 - max prob everywhere:
# the loss acts where the network is unsure (boundaries, small objects).
_base_ = ['./cpu_deeplabv3plus_pseudo_tags.py']
model = dict(extra_losses=[
    dict(type='DenseEnergyLoss', sigma_rgb=15, sigma_xy=70,
         scale_factor=0.5, gate='rrm', kernel='lattice', loss_weight=2.4e-7)
])
work_dir = 'work_dirs/cpu/deeplabv3plus_dense'
