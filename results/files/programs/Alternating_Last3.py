def f(xs):
    """Task: Alternating_Last3.
    Method: boolean.
    Verified: test split (labels): 2000/2000 sequences (20000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    prev1, prev2, flag = 0, 0, 1
    ys = []
    for x in xs:
        prev1, prev2, flag = x, prev1, int(prev1 + prev2 + x < 2)
        ys.append(int(prev2 == flag))
    return ys
