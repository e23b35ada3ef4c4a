import torch


def row(a, i):
    return a[i]


def rows_from(a, i):
    return a[i:]


def first_row_2d(a):
    return a[0:1, :]


def top_left(a):
    return a[0:1, 0:1]


def element(a, i, j):
    return a[i, j]


def concat(a, b, dim):
    return torch.cat((a, b), dim=dim)
