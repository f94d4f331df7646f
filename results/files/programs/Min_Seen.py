def f(xs):
    """Task: Min_Seen.
    Method: enumerate+integer-linear (states coded by outputs).
    Verified: test split (labels): 2000/2000 sequences (20000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    running_min = 9
    ys = []
    for x in xs:
        running_min = min(running_min, x)
        ys.append(running_min)
    return ys
