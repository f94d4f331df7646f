def f(xs):
    """Task: Balanced_Parenthesis.
    Method: boolean.
    Verified: test split (labels): 2000/2000 sequences (20000 steps) match; fresh sequences of length 100 (labels): 9294/10000 sequences (1000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    carry1, carry2, carry3 = 1, 1, 0
    ys = []
    for x in xs:
        carry1, carry2, carry3 = int(not int(not carry1) & int(not carry3) | int(carry3 != 0) & int(not x) | int(carry2 != 0) & int(x != 0)), int(not int(carry1 != 0) & int(not x) | int(not carry2) & int(carry3 != 0) | int(not carry1) & int(not carry2) & int(x != 0) | int(carry3 != 0) & int(x != 0)), int(not int(carry2 != 0) | int(not carry1) & int(carry3 != 0) & int(not x) | int(carry1 != 0) & int(x != 0))
        ys.append(int(carry1 != 0) & int(carry2 != 0))
    return ys
