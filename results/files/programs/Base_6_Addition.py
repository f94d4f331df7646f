def f(xs):
    """Task: Base_6_Addition.
    Method: table+enumerate.
    Verified: test split (labels): 2000/2000 sequences (20000 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one tuple (a, b) per step; returns one output per step.
    """
    c = 0
    ys = []
    for a, b in xs:
        c = ((((1 if b < 1 else 0 if b < 2 else 2) if b < 3 else 3 if b < 4 else 4 if b < 5 else 5) if a < 1 else ((0 if b < 1 else 2 if b < 2 else 3) if b < 3 else 4 if b < 4 else 5 if b < 5 else 6) if a < 2 else (2 if b < 1 else 3 if b < 2 else 4) if b < 3 else 5 if b < 4 else 6 if b < 5 else 7) if a < 3 else ((3 if b < 1 else 4 if b < 2 else 5) if b < 3 else 6 if b < 4 else 7 if b < 5 else 8) if a < 4 else ((4 if b < 1 else 5 if b < 2 else 6) if b < 3 else 7 if b < 4 else 8 if b < 5 else 9) if a < 5 else (5 if b < 1 else 6 if b < 2 else 7) if b < 3 else 8 if b < 4 else 9 if b < 5 else 10) if c < 6 else (((0 if b < 1 else 2 if b < 2 else 3) if b < 3 else 4 if b < 4 else 5 if b < 5 else 6) if a < 1 else ((2 if b < 1 else 3 if b < 2 else 4) if b < 3 else 5 if b < 4 else 6 if b < 5 else 7) if a < 2 else (3 if b < 1 else 4 if b < 2 else 5) if b < 3 else 6 if b < 4 else 7 if b < 5 else 8) if a < 3 else ((4 if b < 1 else 5 if b < 2 else 6) if b < 3 else 7 if b < 4 else 8 if b < 5 else 9) if a < 4 else ((5 if b < 1 else 6 if b < 2 else 7) if b < 3 else 8 if b < 4 else 9 if b < 5 else 10) if a < 5 else (6 if b < 1 else 7 if b < 2 else 8) if b < 3 else 9 if b < 4 else 10 if b < 5 else 11
        ys.append(abs(int(c <= 1) - c % 6))
    return ys
