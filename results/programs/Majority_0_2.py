def f(xs):
    """Task: Majority_0_2.
    Method: enumerate+comparisons.
    Verified: test split (labels): 100000/100000 sequences (1000000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    total1, total2 = 0, 0
    ys = []
    for x in xs:
        total1, total2 = total1 - x + 1, total2 + -x % 3 - x
        ys.append(0 if int(total1 >= 0) & int(total1 >= total2) else 1 if total2 >= 0 else 2)
    return ys
