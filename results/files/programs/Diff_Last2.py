def f(xs):
    """Task: Diff_Last2.
    Method: integer-linear.
    Verified: test split (labels): 2000/2000 sequences (20000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    prev1, prev2 = 0, 0
    ys = []
    for x in xs:
        prev1, prev2 = x, prev1
        ys.append(prev1 - prev2)
    return ys
