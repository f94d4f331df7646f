def f(xs):
    """Task: Newton_Magnetic.
    Method: integer-linear.
    Verified: test split (labels): 200000/200000 sequences (2000000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one tuple (a, b) per step; returns a tuple of 2 outputs per step.
    """
    c, total, d, e = 0, 0, 0, 0
    ys = []
    for a, b in xs:
        c, total, d, e = total + d + e - 2 * a - b, total + e - a - b, 2 * total + 3 * d + b - 2 * c - 2 * e - 2 * a, total + d - c - a
        ys.append((total - c, e - total))
    return ys
