def f(xs):
    """Task: Alternating_Last4.
    Method: boolean (states coded by transition class and output).
    Verified: test split (labels): 100000/100000 sequences (1000000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    prev1, flag1, flag2, flag3 = 0, 0, 1, 0
    ys = []
    for x in xs:
        prev1, flag1, flag2, flag3 = x, int(prev1 != 0) & int(not flag2) | int(flag2 != 0) & int(x != 0), int(not prev1), int(not int(not prev1) & int(not x) | int(flag1 != 0) | int(flag2 != 0) & int(x != 0))
        ys.append(flag3)
    return ys
