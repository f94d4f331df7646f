def f(xs):
    """Task: Bitwise_And.
    Method: enumerate+integer-linear.
    Verified: test split (labels): 2000/2000 sequences (20000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one tuple (a, b) per step; returns one output per step.
    """
    c = 0
    ys = []
    for a, b in xs:
        c = a * b
        ys.append(c)
    return ys
