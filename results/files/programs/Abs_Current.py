def f(xs):
    """Task: Abs_Current.
    Method: integer-linear+enumerate.
    Verified: test split (labels): 2000/2000 sequences (20000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    a = 0
    ys = []
    for x in xs:
        a = -x
        ys.append(abs(a))
    return ys
