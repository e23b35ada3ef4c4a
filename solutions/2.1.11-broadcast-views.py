import torch


def broadcast_pair(a, b):
    return torch.broadcast_tensors(a, b)


def fits_in_place(x_shape, y_shape):
    # x += y keeps x's shape: y must broadcast to x_shape itself. Tensors on the "meta" device
    # have a shape and no data, so this asks torch's own rule without allocating anything.
    try:
        torch.broadcast_to(torch.empty(y_shape, device="meta"), x_shape)
        return True
    except RuntimeError:
        return False
