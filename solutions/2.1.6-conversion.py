import torch


def to_numpy(t):
    return t.numpy()


def to_python_number(t):
    return t.item()


def to_int(t):
    return int(t)
