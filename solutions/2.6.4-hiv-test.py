import math

import torch


def posterior(prior, p_pos_sick, p_pos_healthy):
    return p_pos_sick * prior / (p_pos_sick * prior + p_pos_healthy * (1 - prior))


def posterior_all_positive(prior, p_pos_sick, p_pos_healthy):
    return posterior(prior, math.prod(p_pos_sick), math.prod(p_pos_healthy))


def healthy_joint(fpr1, fpr2, p_both):
    return torch.tensor([[1 - fpr1 - fpr2 + p_both, fpr2 - p_both], [fpr1 - p_both, p_both]], dtype=torch.float64)


def simulate_posterior(prior, p_pos_sick, p_pos_healthy, n, generator):
    sick = torch.rand(n, generator=generator, dtype=torch.float64) < prior
    p_pos = torch.where(sick, p_pos_sick, p_pos_healthy)
    positive = torch.rand(n, generator=generator, dtype=torch.float64) < p_pos
    return ((sick & positive).sum() / positive.sum()).item()
