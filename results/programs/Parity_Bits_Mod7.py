def f(xs):
    """Task: Parity_Bits_Mod7.
    Method: modular-linear+integer-linear (states coded by outputs).
    Verified: test split (labels): 100000/100000 sequences (2000000 steps) match; fresh sequences of length 200 (labels): 10000/10000 sequences (2000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    rem = 6
    ys = []
    for x in xs:
        rem = (rem + 1) % 7
        ys.append(rem)
    return ys
