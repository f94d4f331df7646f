def f(xs):
    """Task: Sum_Last12.
    Method: integer-linear.
    Verified: test split (labels): 100000/100000 sequences (3000000 steps) match; fresh sequences of length 300 (labels): 10000/10000 sequences (3000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    prev1, prev2, prev3, prev4, prev5, prev6, prev7, prev8, a, b, c, d = 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    ys = []
    for x in xs:
        prev1, prev2, prev3, prev4, prev5, prev6, prev7, prev8, a, b, c, d = x, prev1, prev2, prev3, prev4, prev5, prev6, prev7, b, c - a, b + prev4 + x + prev8, c
        ys.append(c + d)
    return ys
