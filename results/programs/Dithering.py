def f(xs):
    """Task: Dithering.
    Method: modular-linear+integer-linear (states coded by transition class and output).
    Verified: test split (labels): 200000/200000 sequences (2000000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    rem, a = 0, 0
    ys = []
    for x in xs:
        rem, a = (rem + x) % 15, (rem + x) // 15
        ys.append(a)
    return ys
