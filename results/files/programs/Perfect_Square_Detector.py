def f(xs):
    """Task: Perfect_Square_Detector.
    Method: table+integer-linear (states coded by outputs).
    Verified: test split (labels): 2000/2000 sequences (20000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    flag = 1
    ys = []
    for x in xs:
        flag = (int(x < 2) if x < 4 else int(x < 5)) if x < 9 else int(x < 10) if x < 16 else int(x < 17)
        ys.append(flag)
    return ys
