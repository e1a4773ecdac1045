# Plain CAM vs DRS vs Group-WSSS vs DRS + Group-WSSS on a smaller toy VOC
# (configs/group_wsss/README.md): the four toy classifiers at equal budget
# (same epochs, schedule and images per epoch), 3 seeds, the last epoch's
# CAM mIoU on train (threshold sweep and saliency protocol) and iteration
# time; two ablations (not in the README's main command): the authors' loss
# without the final / 2 (`group-loss-x2`) and the plain classifier's loss on
# the group sampler's batches (`plain-grouped`).
#   python tools/analysis/sweep.py configs/studies/group_toy.py \
#       --variants plain drs group drs-group [--seeds 0 1 2]
# (The former group_study.py also tested each Group checkpoint with the
# graph skipped, model.test_cfg.graph=none; no pipeline stage runs
# tools/test.py on a checkpoint yet, so that column is not in this study.)
profile = 'toy'
data_root = 'data/toy_voc_group'
variables = dict(toy_size=(60, 30, 120))  # train, val, aug images
extra_stages = [
    dict(type='TrainClassifier', name='classifier',
         config='configs/drs/toy/toy_cls.py', what='classifier')
]
stages = ['data', 'classifier']
seeds = [0, 1, 2]
metrics = [
    'classifier.cam/mIoU', 'classifier.cam/sal_mIoU', 'classifier.cls/mAP',
    'classifier.train_iter_time'
]
digits = 1
# the study reports the last epoch (the profile keeps the best one)
_last = ['default_hooks.checkpoint.save_best=None']
_group = 'configs/group_wsss/toy_group_cls.py'
variants = {
    'plain': dict(overrides=dict(classifier=dict(
        config='configs/drs/toy/toy_cls_no-drs.py', options=_last))),
    'drs': dict(overrides=dict(classifier=dict(options=_last))),
    'group': dict(overrides=dict(classifier=dict(config=_group,
                                                 options=_last))),
    'drs-group': dict(overrides=dict(classifier=dict(
        config='configs/group_wsss/toy_drs_group_cls.py', options=_last))),
    # 0.4 x pre + 1 x post (the authors' weights without the final / 2)
    'group-loss-x2': dict(overrides=dict(classifier=dict(
        config=_group, options=_last + [
            'model.pre_graph_weight=0.8', 'model.post_graph_weight=2.0'
        ]))),
    # the batch composition alone: pre-graph loss at weight 1, no graph
    # loss, graph skipped at test, on the group sampler's batches (5 label
    # sets of 3 images per step)
    'plain-grouped': dict(overrides=dict(classifier=dict(
        config=_group, options=_last + [
            'model.pre_graph_weight=2.0', 'model.post_graph_weight=0.0',
            'model.test_cfg.graph=none'
        ]))),
}
