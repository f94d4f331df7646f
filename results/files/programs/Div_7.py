def f(xs):
    """Task: Div_7.
    Method: modular-linear+enumerate+integer-linear (states coded by transition class and output).
    Verified: test split (labels): 2000/2000 sequences (20000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    rem, flag = 0, 1
    ys = []
    for x in xs:
        rem, flag = (2 * rem + x) % 7, int(2 < rem - int(not x))
        ys.append(flag)
    return ys
