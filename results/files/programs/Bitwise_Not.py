def f(xs):
    """Task: Bitwise_Not.
    Method: boolean.
    Verified: test split (labels): 2000/2000 sequences (20000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    ys = []
    for x in xs:
        ys.append(int(not x))
    return ys
