def f(xs):
    """Task: Alternating_Last11.
    Method: boolean (states coded by transition class and output).
    Verified: test split (labels): 100000/100000 sequences (3000000 steps) match; fresh sequences of length 300 (labels): 10000/10000 sequences (3000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    carry1, carry2, carry3, carry4, carry5, flag = 0, 0, 0, 0, 0, 0
    ys = []
    for x in xs:
        carry1, carry2, carry3, carry4, carry5, flag = int(carry1 != 0) & int(carry2 != 0) & int(not carry5) | int(not carry2) & int(x != 0) | int(carry1 != 0) & int(x != 0), int(carry1 != 0) & int(not carry2) & int(not carry3) & int(not carry4) & int(not carry5) | int(not carry1) & int(not carry2) & int(carry3 != 0) | int(not carry1) & int(not carry2) & int(carry4 != 0) | int(not carry1) & int(not carry2) & int(carry5 != 0) | int(carry1 != 0) & int(carry2 != 0) & int(carry5 != 0) | int(carry1 != 0) & int(x != 0), int(not int(not carry2) & int(not carry3) | int(not carry1) & int(carry2 != 0) & int(not x) | int(carry1 != 0) & int(carry3 != 0) & int(not x) | int(carry2 != 0) & int(carry3 != 0) | int(carry5 != 0) | int(carry1 != 0) & int(carry2 != 0) & int(x != 0) | int(not carry1) & int(carry3 != 0) & int(x != 0)), int(not int(not carry2) & int(not carry4) | int(not carry3) & int(not carry4) | int(carry1 != 0) & int(not carry2) & int(not x) | int(not carry1) & int(carry2 != 0) & int(not x) | int(carry2 != 0) & int(carry3 != 0) & int(carry4 != 0) | int(not carry1) & int(not carry2) & int(x != 0) | int(carry1 != 0) & int(carry2 != 0) & int(x != 0)), int(not int(not carry4) & int(not carry5) | int(carry1 != 0) & int(not carry2) & int(not x) | int(not carry1) & int(carry2 != 0) & int(not x) | int(not carry2) & int(carry4 != 0) | int(not carry3) & int(carry4 != 0) | int(not carry1) & int(not carry2) & int(x != 0) | int(carry1 != 0) & int(carry2 != 0) & int(x != 0)), int(not int(not carry5) | int(carry1 != 0) | int(carry2 != 0) & int(not x) | int(not carry2) & int(x != 0))
        ys.append(flag)
    return ys
