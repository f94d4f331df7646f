def f(xs):
    """Task: Balanced_Parenthesis.
    Method: enumerate.
    Verified: test split (labels): 100000/100000 sequences (1000000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    a, total = 0, 0
    ys = []
    for x in xs:
        a, total = abs(a if total + int(not x) else total), total + int(not x) - x
        ys.append(int(not a + total))
    return ys
