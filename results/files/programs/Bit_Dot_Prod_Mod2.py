def f(xs):
    """Task: Bit_Dot_Prod_Mod2.
    Method: enumerate+integer-linear.
    Verified: test split (labels): 2000/2000 sequences (20000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one tuple (a, b) per step; returns one output per step.
    """
    carry = 0
    ys = []
    for a, b in xs:
        carry = int(carry != a * b)
        ys.append(carry)
    return ys
