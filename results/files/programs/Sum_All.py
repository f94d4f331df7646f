def f(xs):
    """Task: Sum_All.
    Method: integer-linear.
    Verified: test split (labels): 2000/2000 sequences (20000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    total = 0
    ys = []
    for x in xs:
        total = total + x
        ys.append(total)
    return ys
