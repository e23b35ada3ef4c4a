import torch


def manhattan(p, q):
    return (p - q).abs().sum(dim=-1)


def euclidean(p, q):
    return ((p - q) ** 2).sum(dim=-1).sqrt()
