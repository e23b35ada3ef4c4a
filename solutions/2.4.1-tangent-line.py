import torch


def f(x):
    return x ** 3 - 1 / x


def tangent_line(x0):
    t = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    y = f(t)
    y.backward()
    slope = t.grad.item()
    return slope, y.item() - slope * x0


def curve_and_tangent(x, x0):
    slope, intercept = tangent_line(x0)
    return f(x), slope * x + intercept
