def f(xs):
    """Task: Majority_0_1.
    Method: integer-linear+enumerate.
    Verified: test split (labels): 100000/100000 sequences (1000000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    total, count = 0, 0
    ys = []
    for x in xs:
        total, count = total + x, count + 1
        ys.append(int(count < 2 * total))
    return ys
