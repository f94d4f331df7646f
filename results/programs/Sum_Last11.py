def f(xs):
    """Task: Sum_Last11.
    Method: integer-linear.
    Verified: test split (labels): 100000/100000 sequences (3000000 steps) match; fresh sequences of length 300 (labels): 10000/10000 sequences (3000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    prev1, prev2, prev3, prev4, prev5, prev6, prev7, prev8, prev9, a, b = 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    ys = []
    for x in xs:
        prev1, prev2, prev3, prev4, prev5, prev6, prev7, prev8, prev9, a, b = x, prev1, prev2, prev3, prev4, prev5, prev6, prev7, prev8, prev9 + x + prev2 + prev4 + prev6, a
        ys.append(prev9 + a + b)
    return ys
