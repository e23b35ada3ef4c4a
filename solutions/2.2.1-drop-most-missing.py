import pandas as pd


def most_missing_column(df):
    counts = df.isna().sum()
    return None if counts.max() == 0 else counts.idxmax()


def drop_most_missing(df):
    name = most_missing_column(df)
    return df.copy() if name is None else df.drop(columns=name)
