"""The DRS autograd function as it was before issue 17 (for benchmarks).

Kept verbatim in behaviour so that ``drs_train_step.py`` can time it next to
the current implementation in the same run: it saves the full input for the
backward, computes the controller's GAP through a separate ReLU, and does the
backward in several full-size passes.
"""
import torch
import torch.nn.functional as F


class LegacySuppressFunction(torch.autograd.Function):
    """``clamp(x, 0, delta * cap(relu(max x)))``, saving ``x``."""

    @staticmethod
    def forward(ctx, x, delta, cap):
        x_max, idx = x.flatten(2).max(dim=-1)
        m = x_max.clamp(min=0)
        if cap is not None:
            m = m.clamp(max=cap)
        thr = (delta * m)[..., None, None]
        out = torch.clamp(x, min=0)
        out = torch.minimum(out, thr, out=out)
        ctx.cap = cap
        ctx.save_for_backward(x, thr, idx, x_max, delta, m)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, thr, idx, x_max, delta, m = ctx.saved_tensors
        clipped = x >= thr
        grad_x = torch.where((x > 0) & ~clipped, grad, 0.)
        grad_thr = torch.where(clipped, grad, 0.).sum(dim=(2, 3))
        grad_delta = None
        if ctx.needs_input_grad[1]:
            grad_delta = grad_thr * m
            if delta.dim() == 0:
                grad_delta = grad_delta.sum()
        live = x_max > 0
        if ctx.cap is not None:
            live &= x_max < ctx.cap
        grad_m = grad_thr * delta * live
        grad_x.flatten(2).scatter_add_(2, idx[..., None], grad_m[..., None])
        return grad_x, grad_delta, None


def legacy_drs(x, delta=None, fc=None, cap=None):
    """The former ``DRS.forward`` for ReLU/ReLU6 (fixed ``delta`` or ``fc``)."""
    if fc is not None:
        act = F.relu(x) if cap is None else F.relu6(x)
        delta = torch.sigmoid(fc(act.mean(dim=(2, 3))))
    else:
        delta = x.new_tensor(delta)
    return LegacySuppressFunction.apply(x, delta, cap)
