import torch


def zeros(shape):
    return torch.zeros(shape)


def ones(shape):
    return torch.ones(shape)


def from_nested(data):
    return torch.tensor(data)


def standard_normal(shape):
    return torch.randn(shape)
