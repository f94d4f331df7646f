def f(xs):
    """Task: Newton_Magnetic.
    Method: integer-linear.
    Verified: test split (labels): 200000/200000 sequences (2000000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one tuple (a, b) per step; returns a tuple of 2 outputs per step.
    """
    c, d, e, s3, g, h = 0, 0, 0, 0, 0, 0
    ys = []
    for a, b in xs:
        c, d, e, s3, g, h = 2 * e + a, c - 4 * e, d + 3 * e, 2 * h + b, s3 - 4 * h, g + 3 * h
        ys.append((c + 2 * d + 2 * e - g - 3 * h, d + 3 * e + s3 + 2 * g + 2 * h))
    return ys
