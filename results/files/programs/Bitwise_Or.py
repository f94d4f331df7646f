def f(xs):
    """Task: Bitwise_Or.
    Method: enumerate+integer-linear.
    Verified: test split (labels): 2000/2000 sequences (20000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one tuple (a, b) per step; returns one output per step.
    """
    flag = 0
    ys = []
    for a, b in xs:
        flag = int(a != 0) | int(b != 0)
        ys.append(flag)
    return ys
