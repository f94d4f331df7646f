def f(xs):
    """Task: Sum_Last10.
    Method: integer-linear.
    Verified: test split (labels): 100000/100000 sequences (3000000 steps) match; fresh sequences of length 300 (labels): 10000/10000 sequences (3000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    prev1, prev2, prev3, prev4, a, b, c, d, e, s9 = 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    ys = []
    for x in xs:
        prev1, prev2, prev3, prev4, a, b, c, d, e, s9 = x, prev1, prev2, prev3, prev4 + x, a, b, c + a, d + x, e
        ys.append(e + s9)
    return ys
