import torch
from mmseg.registry import MODELS


def test_aspp_branches_are_summed():
    head = MODELS.build(dict(type='DeepLabV2Head', in_channels=8,
                             num_classes=5, in_index=0))
    head.init_weights()
    assert not hasattr(head, 'conv_seg')
    assert [c.dilation for c in head.aspp] == [(6, 6), (12, 12), (18, 18),
                                               (24, 24)]
    stds = [float(c.weight.std()) for c in head.aspp]
    assert all(0.005 < s < 0.02 for s in stds)  # N(0, 0.01)
    assert all(float(c.bias.abs().max()) == 0 for c in head.aspp)
    x = torch.randn(2, 8, 17, 19)
    out = head([x])
    assert out.shape == (2, 5, 17, 19)
    torch.testing.assert_close(out, sum(c(x) for c in head.aspp))
    # trains through mmseg's decode-head loss
    from mmseg.structures import SegDataSample
    from mmengine.structures import PixelData
    samples = []
    for _ in range(2):
        ds = SegDataSample(metainfo=dict(img_shape=(68, 76)))
        ds.gt_sem_seg = PixelData(data=torch.randint(0, 5, (1, 68, 76)))
        samples.append(ds)
    losses = head.loss([x], samples, dict())
    losses['loss_ce'].backward()
    assert head.aspp[3].weight.grad.abs().sum() > 0
