import math

import torch


def head_frequencies(p, n, trials, generator):
    counts = torch.binomial(torch.full((trials,), float(n), dtype=torch.float64),
                            torch.full((trials,), p, dtype=torch.float64), generator=generator)
    return counts / n


def frequency_variance(p, n):
    return p * (1 - p) / n


def chebyshev_bound(p, n, eps):
    return min(1.0, p * (1 - p) / (n * eps ** 2))
