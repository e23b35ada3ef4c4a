import torch


def broadcast_pair(a, b):
    return torch.broadcast_tensors(a, b)


def fits_in_place(x_shape, y_shape):
    try:
        return torch.broadcast_shapes(x_shape, y_shape) == torch.Size(x_shape)
    except RuntimeError:
        return False
