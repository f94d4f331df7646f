def f(xs):
    """Task: Parity_Bits_Mod4.
    Method: modular-linear+integer-linear (states coded by outputs).
    Verified: test split (labels): 100000/100000 sequences (1000000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    rem = 3
    ys = []
    for x in xs:
        rem = (rem + 1) % 4
        ys.append(rem)
    return ys
