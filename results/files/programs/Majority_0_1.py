def f(xs):
    """Task: Majority_0_1.
    Method: boolean.
    Verified: test split (labels): 2000/2000 sequences (20000 steps) match; fresh sequences of length 100 (labels): 1991/10000 sequences (1000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    carry1, flag, carry2, carry3 = 1, 0, 0, 0
    ys = []
    for x in xs:
        carry1, flag, carry2, carry3 = int(not int(flag != 0) & int(not x) | int(carry1 != 0) & int(flag != 0) & int(carry2 != 0) | int(carry2 != 0) & int(carry3 != 0) & int(not x) | int(not flag) & int(not carry2) & int(x != 0)), int(carry2 != 0) & int(not x) | int(not carry1) & int(not carry3) & int(x != 0), int(not int(not carry1) & int(not carry2) & int(not x) | int(carry1 != 0) & int(not flag) & int(carry2 != 0) | int(not flag) & int(x != 0)), int(not flag) & int(carry3 != 0) | int(not carry1) & int(not carry2) & int(x != 0)
        ys.append(int(not carry1) & int(not carry2) | int(carry3 != 0))
    return ys
