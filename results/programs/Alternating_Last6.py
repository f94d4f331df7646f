def f(xs):
    """Task: Alternating_Last6.
    Method: boolean.
    Verified: test split (labels): 100000/100000 sequences (2000000 steps) match; fresh sequences of length 200 (labels): 10000/10000 sequences (2000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    prev1, carry1, carry2, carry3 = 0, 0, 0, 0
    ys = []
    for x in xs:
        prev1, carry1, carry2, carry3 = x, int(prev1 != 0) & int(not carry2) | int(not carry1) & int(carry2 != 0) | int(not carry1) & int(x != 0) | int(prev1 != 0) & int(x != 0), int(not int(not prev1) & int(not carry2) | int(carry1 != 0) & int(not x)), int(not int(not carry2) & int(not carry3) | int(not prev1) & int(not x) | int(prev1 != 0) & int(x != 0))
        ys.append(int(carry2 != 0) & int(carry3 != 0))
    return ys
