# The fully supervised reference on real photographs (data/voc_mini): the
# cpu profile's DeepLab-V3+ recipe on the real train masks, 3 seeds.
#   python tools/analysis/sweep.py configs/studies/photo_full_sup.py
profile = 'cpu_full_sup'
data_root = None
seeds = [0, 1, 2]
metrics = ['segmentation-full-sup.mIoU', 'segmentation-full-sup.seconds']
variants = dict(
    base=dict(),
    # 3x the iterations: how far the 500-iteration budget is from converged
    i1500=dict(variables=dict(seg_iters=1500)),
    # 2x: the reference of the photo study's `seg_iters1000`
    i1000=dict(variables=dict(seg_iters=1000)))
