import torch


def l1_norm(u):
    return torch.abs(u).sum()


def l2_norm(u):
    return torch.linalg.vector_norm(u)


def frobenius_norm(m):
    return torch.linalg.matrix_norm(m)  # ord="fro" by default
