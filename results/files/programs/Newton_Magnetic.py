def f(xs):
    """Task: Newton_Magnetic.
    Method: integer-linear.
    Verified: test split (labels): 2000/2000 sequences (20000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one tuple (a, b) per step; returns a tuple of 2 outputs per step.
    """
    c, d, total, e = 0, 0, 0, 0
    ys = []
    for a, b in xs:
        c, d, total, e = 2 * c + 3 * e + 2 * b - d - 2 * total, 2 * c + 3 * e + 2 * b - d - total - a, 2 * c + total + 2 * e + b - 2 * d - 2 * a, c + 2 * e + b - d - a
        ys.append((c - d, d - e))
    return ys
