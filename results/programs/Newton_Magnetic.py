def f(xs):
    """Task: Newton_Magnetic.
    Method: integer-linear.
    Verified: test split (labels): 200000/200000 sequences (2000000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one tuple (a, b) per step; returns a tuple of 2 outputs per step.
    """
    total1, total2, total3, total4 = 0, 0, 0, 0
    ys = []
    for a, b in xs:
        total1, total2, total3, total4 = total1 - total4, total2 - total3, total3 + b - total4, total3 + total4 - a
        ys.append((total1 - total4, total3 - total2))
    return ys
