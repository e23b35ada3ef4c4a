import torch


def total(t):
    return t.sum()


def sum_along(t, axis, keepdims=False):
    return t.sum(dim=axis, keepdim=keepdims)


def mean_along(t, axis, keepdims=False):
    return t.to(torch.float32).mean(dim=axis, keepdim=keepdims)
