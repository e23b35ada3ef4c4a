"""Correct answers written another way than the references (the book's own idioms among
them) pass: the checks judge behaviour, not one way of writing it."""
import textwrap

import pytest

from grader.grading.judge import grade

ANSWERS = {
    # d2l-en 1.0's order: encode first, then fill every column (all numeric or bool by then)
    "preprocess": """
        import pandas as pd
        import torch

        def fill_missing_numeric(df):
            out = df.copy()
            for name in out.select_dtypes("number").columns:
                out[name] = out[name].fillna(out[name].mean())
            return out

        def preprocess(path, target):
            data = pd.read_csv(path)
            inputs, outputs = data.drop(columns=target), data[target]
            inputs = pd.get_dummies(inputs, dummy_na=True)
            inputs = inputs.fillna(inputs.mean())
            return torch.tensor(inputs.to_numpy(dtype=float)), torch.tensor(outputs.to_numpy(dtype=float))
    """,
    "matmul-order": """
        import torch

        def chain_costs(a_shape, b_shape, c_shape):
            m, n = a_shape
            p, q = c_shape
            return m * n * p + m * p * q, n * p * q + m * n * q

        def intermediate_sizes(a_shape, b_shape, c_shape):
            return a_shape[0] * b_shape[1], b_shape[0] * c_shape[1]

        def chain_product(A, B, C):
            return torch.linalg.multi_dot([A, B, C])
    """,
    "chain-rule": """
        import torch

        def chain_rule(grad_u, jacobian):
            return (grad_u[:, None] * jacobian).sum(dim=0)

        def jacobian_of(fn, a):
            x = a.clone().requires_grad_(True)
            y = fn(x)
            rows = [torch.autograd.grad(y[i], x, retain_graph=True)[0] for i in range(len(y))]
            return torch.stack(rows)
    """,
    "broadcast-views": """
        import torch

        def broadcast_pair(a, b):
            shape = torch.broadcast_shapes(a.shape, b.shape)
            return a.expand(shape), b.expand(shape)

        def fits_in_place(x_shape, y_shape):
            x = torch.zeros(x_shape)
            try:
                x += torch.zeros(y_shape)
            except RuntimeError:
                return False
            return True
    """,
    "compare-masks": """
        import torch

        def compare_all(X, Y):
            lt, gt, eq = X < Y, X > Y, X == Y
            return lt, gt, eq, torch.isnan(X) | torch.isnan(Y)

        def fraction_less(X, Y):
            less = X < Y
            return less.sum().item() / less.numel()
    """,
    "hiv-test": """
        import math
        import torch

        def posterior(prior, p_pos_sick, p_pos_healthy):
            p_pos = p_pos_sick * prior + p_pos_healthy * (1 - prior)
            return p_pos_sick * prior / p_pos

        def posterior_all_positive(prior, p_pos_sick, p_pos_healthy):
            sick, healthy = prior, 1 - prior
            for s, h in zip(p_pos_sick, p_pos_healthy):
                sick, healthy = sick * s, healthy * h
            return sick / (sick + healthy)

        def healthy_joint(fpr1, fpr2, p_both):
            table = torch.empty(2, 2, dtype=torch.float64)
            table[1, 1] = p_both
            table[1, 0] = fpr1 - p_both
            table[0, 1] = fpr2 - p_both
            table[0, 0] = 1 - table[1, 0] - table[0, 1] - table[1, 1]
            return table

        def simulate_posterior(prior, p_pos_sick, p_pos_healthy, n, generator):
            sick = torch.bernoulli(torch.full((n,), prior, dtype=torch.float64), generator=generator).bool()
            p = torch.full((n,), p_pos_healthy, dtype=torch.float64)
            p[sick] = p_pos_sick
            positive = torch.bernoulli(p, generator=generator).bool()
            return float(sick[positive].double().mean())
    """,
}


@pytest.mark.parametrize("slug", ANSWERS)
def test_another_correct_answer_passes(slug, tmp_path, course, runner):
    ex = course.get(slug)
    path = tmp_path / f"{slug}.py"
    path.write_text(textwrap.dedent(ANSWERS[slug]), encoding="utf-8")
    result = grade(ex, path, course.solution_file(ex), 21, runner)
    failing = [(r.function, r.label, p.message) for r in result.results for p in r.problems]
    assert result.passed, failing
