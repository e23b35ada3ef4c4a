import pandas as pd
import torch


def fill_missing_numeric(df):
    return df.fillna(df.mean(numeric_only=True))


def preprocess(path, target):
    data = pd.read_csv(path)
    inputs, outputs = data.drop(columns=target), data[target]
    inputs = pd.get_dummies(fill_missing_numeric(inputs), dummy_na=True)
    return torch.tensor(inputs.to_numpy(dtype=float)), torch.tensor(outputs.to_numpy(dtype=float))
