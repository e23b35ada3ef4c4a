import torch


def norm_nd(X):
    return (X * X).sum().sqrt()


def matrix_norms(X):
    return (X * X).sum(dim=(-2, -1)).sqrt()
