def len_from_shape(shape):
    if not shape:
        raise TypeError("len() of a 0-d tensor")
    return shape[0]


def sizes(X):
    return len(X), X.dim(), X.numel()
