def f(xs):
    """Task: Majority_0_1.
    Method: enumerate.
    Verified: test split (labels): 100000/100000 sequences (1000000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    total = 0
    ys = []
    for x in xs:
        total = total + int(not x) - x
        ys.append(int(total <= -1))
    return ys
