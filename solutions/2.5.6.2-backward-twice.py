import torch


def backward_twice(x):
    y = (x * x).sum()
    y.backward()  # frees the graph's saved values
    y.backward()  # RuntimeError: Trying to backward through the graph a second time ...


def backward_twice_retained(x):
    y = (x * x).sum()
    y.backward(retain_graph=True)  # keep the saved values for another pass
    y.backward()  # the gradients add up in x.grad: 2x + 2x
    return x.grad
