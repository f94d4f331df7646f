def f(xs):
    """Task: Parity_Last9.
    Method: boolean.
    Verified: test split (labels): 100000/100000 sequences (2000000 steps) match; fresh sequences of length 200 (labels): 10000/10000 sequences (2000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    prev1, prev2, prev3, prev4, prev5, prev6, prev7, prev8, prev9 = 0, 0, 0, 0, 0, 0, 0, 0, 0
    ys = []
    for x in xs:
        prev1, prev2, prev3, prev4, prev5, prev6, prev7, prev8, prev9 = x, prev1, prev2, prev3, prev4, prev5, prev6, prev7, prev8
        ys.append(prev2 ^ prev3 ^ prev4 ^ prev5 ^ prev6 ^ prev7 ^ prev8 ^ prev9 ^ x)
    return ys
