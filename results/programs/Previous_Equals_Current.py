def f(xs):
    """Task: Previous_Equals_Current.
    Method: table+enumerate.
    Verified: test split (labels): 99950/99950 sequences (999500 steps) match; fresh sequences of length 100 (labels): 10000/10000 sequences (1000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    a = 0
    ys = []
    for x in xs:
        a = (((((int(x >= 1) if x < 2 else 2 if x < 3 else 3) if x < 4 else (4 if x < 5 else 5) if x < 6 else 6 if x < 7 else 7) if a < 1 else ((8 if x < 1 else 9) if x < 2 else 2 if x < 3 else 3) if x < 4 else (4 if x < 5 else 5) if x < 6 else 6 if x < 7 else 7) if a < 2 else (((8 if x < 1 else 1) if x < 2 else 10 if x < 3 else 3) if x < 4 else (4 if x < 5 else 5) if x < 6 else 6 if x < 7 else 7) if a < 3 else ((8 if x < 1 else 1) if x < 2 else 2 if x < 3 else 11) if x < 4 else (4 if x < 5 else 5) if x < 6 else 6 if x < 7 else 7) if a < 4 else ((((8 if x < 1 else 1) if x < 2 else 2 if x < 3 else 3) if x < 4 else (12 if x < 5 else 5) if x < 6 else 6 if x < 7 else 7) if a < 5 else ((8 if x < 1 else 1) if x < 2 else 2 if x < 3 else 3) if x < 4 else (4 if x < 5 else 13) if x < 6 else 6 if x < 7 else 7) if a < 6 else (((8 if x < 1 else 1) if x < 2 else 2 if x < 3 else 3) if x < 4 else (4 if x < 5 else 5) if x < 6 else 14 if x < 7 else 7) if a < 7 else ((8 if x < 1 else 1) if x < 2 else 2 if x < 3 else 3) if x < 4 else (4 if x < 5 else 5) if x < 6 else 6 if x < 7 else 15) if a < 8 else ((((int(x >= 1) if x < 2 else 2 if x < 3 else 3) if x < 4 else (4 if x < 5 else 5) if x < 6 else 6 if x < 7 else 7) if a < 9 else ((8 if x < 1 else 9) if x < 2 else 2 if x < 3 else 3) if x < 4 else (4 if x < 5 else 5) if x < 6 else 6 if x < 7 else 7) if a < 10 else (((8 if x < 1 else 1) if x < 2 else 10 if x < 3 else 3) if x < 4 else (4 if x < 5 else 5) if x < 6 else 6 if x < 7 else 7) if a < 11 else ((8 if x < 1 else 1) if x < 2 else 2 if x < 3 else 11) if x < 4 else (4 if x < 5 else 5) if x < 6 else 6 if x < 7 else 7) if a < 12 else ((((8 if x < 1 else 1) if x < 2 else 2 if x < 3 else 3) if x < 4 else (12 if x < 5 else 5) if x < 6 else 6 if x < 7 else 7) if a < 13 else ((8 if x < 1 else 1) if x < 2 else 2 if x < 3 else 3) if x < 4 else (4 if x < 5 else 13) if x < 6 else 6 if x < 7 else 7) if a < 14 else (((8 if x < 1 else 1) if x < 2 else 2 if x < 3 else 3) if x < 4 else (4 if x < 5 else 5) if x < 6 else 14 if x < 7 else 7) if a < 15 else ((8 if x < 1 else 1) if x < 2 else 2 if x < 3 else 3) if x < 4 else (4 if x < 5 else 5) if x < 6 else 6 if x < 7 else 15
        ys.append(int(not a * int(a <= 8)))
    return ys
