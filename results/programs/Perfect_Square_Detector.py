def f(xs):
    """Task: Perfect_Square_Detector.
    Method: membership+integer-linear.
    Verified: test split (labels): 100000/100000 sequences (1000000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    flag = 0
    ys = []
    for x in xs:
        flag = int(x == 0) | int(x == 1) | int(x == 4) | int(x == 9) | int(x == 16)
        ys.append(flag)
    return ys
