import torch


def chain_rule(grad_u, jacobian):
    return jacobian.T @ grad_u


def jacobian_of(fn, a):
    return torch.autograd.functional.jacobian(fn, a)
