import torch


def add_into(x, y):
    x += y
    return x


def add_fresh(x, y):
    return x + y
