import torch


def chain_costs(a_shape, b_shape, c_shape):
    (m, n), (_, p), (_, q) = a_shape, b_shape, c_shape
    return m * n * p + m * p * q, n * p * q + m * n * q


def intermediate_sizes(a_shape, b_shape, c_shape):
    (m, n), (_, p), (_, q) = a_shape, b_shape, c_shape
    return m * p, n * q


def chain_product(A, B, C):
    left, right = chain_costs(A.shape, B.shape, C.shape)
    return (A @ B) @ C if left <= right else A @ (B @ C)
