import torch


def l2_grad(x):
    n = (x * x).sum().sqrt()
    return x / n if n > 0 else torch.zeros_like(x)


def l2_grad_autograd(x):
    torch.linalg.vector_norm(x).backward()
    return x.grad
