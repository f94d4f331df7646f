def f(xs):
    """Task: Bit_Shift_Right.
    Method: boolean.
    Verified: test split (labels): 2000/2000 sequences (20000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    prev2, prev1 = 1, 0
    ys = []
    for x in xs:
        prev2, prev1 = prev1, x
        ys.append(prev2)
    return ys
