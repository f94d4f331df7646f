def f(xs):
    """Task: Alternating_Last8.
    Method: boolean (states coded by transition class and output).
    Verified: test split (labels): 100000/100000 sequences (2000000 steps) match; fresh sequences of length 200 (labels): 10000/10000 sequences (2000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    carry1, carry2, flag1, carry3, flag2 = 1, 0, 1, 0, 0
    ys = []
    for x in xs:
        carry1, carry2, flag1, carry3, flag2 = int(not carry1) & int(not x) | int(flag1 != 0) & int(not x) | int(not carry2) & int(carry3 != 0) | int(not flag1) & int(x != 0) | int(carry1 != 0) & int(carry2 != 0) & int(x != 0), int(not carry2) & int(not flag1) | int(not carry1) & int(not carry2) & int(x != 0) | int(not flag1) & int(x != 0), int(not x), int(not int(not carry2) & int(not carry3) | int(flag1 != 0) & int(not x) | int(carry2 != 0) & int(carry3 != 0) & int(not x) | int(not flag1) & int(x != 0) | int(carry1 != 0) & int(not carry3) & int(x != 0)), int(carry1 != 0) & int(not carry2) & int(not flag1) & int(carry3 != 0) & int(not x) | int(carry2 != 0) & int(flag1 != 0) & int(carry3 != 0) & int(x != 0)
        ys.append(flag2)
    return ys
