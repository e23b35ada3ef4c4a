import torch


def f(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


def grad_of_f_vector(a):
    d = f(a)
    d.sum().backward()  # d is a vector: backpropagate a scalar made from it
    return d, a.grad
