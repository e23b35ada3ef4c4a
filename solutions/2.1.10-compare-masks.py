import torch


def compare_all(X, Y):
    lt, gt, eq = X < Y, X > Y, X == Y
    return lt, gt, eq, ~(lt | gt | eq)


def fraction_less(X, Y):
    return (X < Y).float().mean().item()
