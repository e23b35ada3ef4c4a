import torch


def normalize_rows(A):
    return A / A.sum(axis=1, keepdims=True)


def normalize_cols(A):
    return A / A.sum(axis=0)
