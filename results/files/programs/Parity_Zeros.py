def f(xs):
    """Task: Parity_Zeros.
    Method: boolean.
    Verified: test split (labels): 2000/2000 sequences (20000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    carry = 0
    ys = []
    for x in xs:
        carry = int(carry == x)
        ys.append(carry)
    return ys
