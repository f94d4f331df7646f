def f(xs):
    """Task: Bit_Dot_Prod_Mod5.
    Method: enumerate+integer-linear.
    Verified: test split (labels): 100000/100000 sequences (1000000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one tuple (a, b) per step; returns one output per step.
    """
    rem = 0
    ys = []
    for a, b in xs:
        rem = (rem + a * b) % 5
        ys.append(rem)
    return ys
