import torch


def dot(x, y):
    return torch.dot(x, y)


def matvec(A, x):
    return torch.mv(A, x)


def matmul(A, B):
    return torch.mm(A, B)
