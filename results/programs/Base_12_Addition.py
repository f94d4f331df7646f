def f(xs):
    """Task: Base_12_Addition.
    Method: enumerate+modular-linear.
    Verified: test split (labels): 100000/100000 sequences (1000000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one tuple (a, b) per step; returns one output per step.
    """
    c = 0
    ys = []
    for a, b in xs:
        c = a + b + int(12 <= c)
        ys.append(c % 12)
    return ys
