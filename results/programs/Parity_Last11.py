def f(xs):
    """Task: Parity_Last11.
    Method: boolean (states coded by transition class and output).
    Verified: test split (labels): 100000/100000 sequences (3000000 steps) match; fresh sequences of length 300 (labels): 10000/10000 sequences (3000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    prev1, prev2, prev3, prev4, prev5, prev6, prev7, prev8, prev9, prev10, a = 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
    ys = []
    for x in xs:
        prev1, prev2, prev3, prev4, prev5, prev6, prev7, prev8, prev9, prev10, a = x, prev1, prev2, prev3, prev4, prev5, prev6, prev7, prev8, prev9, prev1 ^ prev2 ^ prev3 ^ prev4 ^ prev5 ^ prev6 ^ prev7 ^ prev8 ^ prev9 ^ prev10 ^ x
        ys.append(a)
    return ys
