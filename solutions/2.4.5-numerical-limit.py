import torch


def forward_difference(f, x, h):
    return (f(x + h) - f(x)) / h


def central_difference(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


def best_step(f, df, x, hs):
    return min(hs, key=lambda h: abs(forward_difference(f, x, h) - df(x)).item())
