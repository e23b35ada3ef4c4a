import torch


def sym(A):
    return A + A.mT


def is_symmetric(M):
    return M.shape[-1] == M.shape[-2] and torch.equal(M, M.mT)
