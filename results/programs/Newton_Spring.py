def f(xs):
    """Task: Newton_Spring.
    Method: integer-linear.
    Verified: test split (labels): 200000/200000 sequences (2000000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    total, a = 0, 0
    ys = []
    for x in xs:
        total, a = x + total - a, total
        ys.append(total)
    return ys
