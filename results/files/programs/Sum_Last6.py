def f(xs):
    """Task: Sum_Last6.
    Method: integer-linear.
    Verified: test split (labels): 2000/2000 sequences (40000 steps) match; fresh sequences of length 200 (labels): 10000/10000 sequences (2000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    prev1, prev2, prev3, prev4, a, b = 0, 0, 0, 0, 0, 0
    ys = []
    for x in xs:
        prev1, prev2, prev3, prev4, a, b = x, prev1, prev2, prev3, prev4 + x + prev2, a
        ys.append(a + b)
    return ys
