def f(xs):
    """Task: Div_3.
    Method: modular-linear+enumerate.
    Verified: test split (labels): 2000/2000 sequences (20000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    rem = 0
    ys = []
    for x in xs:
        rem = (2 * rem + x) % 6
        ys.append(int(2 < rem))
    return ys
