import torch


def second_derivative(fn, x):
    y = fn(x)
    # create_graph=True: the first derivative is itself recorded as a graph...
    (dy,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    # ...so that it can be differentiated again. fn is elementwise, so the derivative of
    # sum(dy) with respect to x[i] is fn''(x[i]).
    (d2y,) = torch.autograd.grad(dy.sum(), x)
    return d2y
