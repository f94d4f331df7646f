def f(xs):
    """Task: Min_Seen.
    Method: table+modular-linear.
    Verified: test split (labels): 100000/100000 sequences (1000000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    a = 0
    ys = []
    for x in xs:
        a = (((((1 if x < 1 else 2) if x < 2 else 3 if x < 3 else 4 if x < 4 else 5) if x < 5 else (6 if x < 6 else 7) if x < 7 else 8 if x < 8 else 9 if x < 9 else 0) if a < 1 else 1) if a < 2 else (1 if x < 1 else 2) if a < 3 else (1 if x < 1 else 2 if x < 2 else 3) if a < 4 else (1 if x < 1 else 2) if x < 2 else 3 if x < 3 else 4) if a < 5 else (((1 if x < 1 else 2) if x < 2 else 3 if x < 3 else 4 if x < 4 else 5) if a < 6 else (1 if x < 1 else 2 if x < 2 else 3) if x < 3 else 4 if x < 4 else 5 if x < 5 else 6) if a < 7 else ((1 if x < 1 else 2 if x < 2 else 3) if x < 3 else (4 if x < 4 else 5) if x < 5 else 6 if x < 6 else 7) if a < 8 else (((1 if x < 1 else 2) if x < 2 else 3 if x < 3 else 4) if x < 4 else (5 if x < 5 else 6) if x < 6 else 7 if x < 7 else 8) if a < 9 else ((1 if x < 1 else 2) if x < 2 else 3 if x < 3 else 4) if x < 4 else (5 if x < 5 else 6) if x < 6 else 7 if x < 7 else 8 if x < 8 else 9
        ys.append((a - 1) % 10)
    return ys
