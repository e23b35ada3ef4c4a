import torch


def frame_to_tensor(df):
    return torch.tensor(df.to_numpy())
