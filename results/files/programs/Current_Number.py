def f(xs):
    """Task: Current_Number.
    Method: integer-linear.
    Verified: test split (labels): 2000/2000 sequences (20000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    prev1 = 0
    ys = []
    for x in xs:
        prev1 = x
        ys.append(prev1)
    return ys
