import torch


def sum_of_transposes(A, B):
    return A.mT + B.mT


def transpose_of_sum(A, B):
    return (A + B).mT
