def f(xs):
    """Task: Dithering.
    Method: enumerate+modular-linear.
    Verified: test split (labels): 200000/200000 sequences (2000000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    a = 0
    ys = []
    for x in xs:
        a = x + min(a, (a + 1) % 16)
        ys.append((a + 1) // 16)
    return ys
