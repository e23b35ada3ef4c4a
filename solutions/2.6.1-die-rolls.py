import math

import torch


def roll_counts(probs, n, m, generator):
    faces = torch.multinomial(probs, m * n, replacement=True, generator=generator).reshape(m, n)
    return torch.nn.functional.one_hot(faces, len(probs)).sum(dim=1).to(probs.dtype)


def running_estimates(counts):
    cum = counts.cumsum(dim=0)
    return cum / cum.sum(dim=1, keepdim=True)


def estimate_std(p, n, m):
    return math.sqrt(p * (1 - p) / (n * m))
