import torch


def scalar_arithmetic(a, b):
    return a + b, a - b, a * b, a / b, a // b, a % b


def vector_element(v, i):
    return v[i]


def transpose(m):
    return m.T
