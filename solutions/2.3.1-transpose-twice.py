import torch


def transpose_twice(A):
    return A.T.T
