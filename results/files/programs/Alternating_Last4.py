def f(xs):
    """Task: Alternating_Last4.
    Method: boolean.
    Verified: test split (labels): 2000/2000 sequences (20000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    prev1, carry1, carry2 = 0, 1, 1
    ys = []
    for x in xs:
        prev1, carry1, carry2 = x, int(not prev1) & int(not x) | int(carry1 != 0) & int(carry2 != 0) | int(prev1 != 0) & int(x != 0), int(not carry1) & int(not x) | int(not prev1) & int(carry1 != 0) | int(not prev1) & int(carry2 != 0)
        ys.append(int(not carry1) & int(carry2 != 0))
    return ys
