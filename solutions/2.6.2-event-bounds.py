import torch


def union_bounds(pa, pb):
    return max(pa, pb), min(1.0, pa + pb)


def intersection_bounds(pa, pb):
    return max(0.0, pa + pb - 1), min(pa, pb)


def extreme_events(pa, pb, n, overlap):
    a, b = round(pa * n), round(pb * n)
    outcomes = torch.arange(n)
    A = outcomes < a
    B = outcomes < b if overlap == "max" else outcomes >= n - b
    return A, B
