def f(xs):
    """Task: Majority_0_3.
    Method: enumerate+indicator-linear+comparisons.
    Verified: test split (labels): 100000/100000 sequences (1000000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    total1, total2, count = 0, 0, 0
    ys = []
    for x in xs:
        total1, total2, count = total1 - (x - 1) // 2, total2 + min(x, 2 - x), count + int(x == 2) - int(x == 3)
        ys.append(0 if int(total1 >= 0) & int(total1 >= total2) & int(total1 >= count) else 1 if int(total2 >= 0) & int(total2 >= count) else 2 if count >= 0 else 3)
    return ys
