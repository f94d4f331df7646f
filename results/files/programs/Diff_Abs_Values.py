def f(xs):
    """Task: Diff_Abs_Values.
    Method: integer-linear+enumerate.
    Verified: test split (labels): 2000/2000 sequences (20000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    a, b = 0, 0
    ys = []
    for x in xs:
        a, b = -x, a
        ys.append(abs(a) - abs(b))
    return ys
