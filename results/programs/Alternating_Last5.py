def f(xs):
    """Task: Alternating_Last5.
    Method: boolean (states coded by transition class and output, mixed radix).
    Verified: test split (labels): 100000/100000 sequences (2000000 steps) match; fresh sequences of length 200 (labels): 10000/10000 sequences (2000000 steps) match (jit backend)

    xs: one value of x per step; returns one output per step.
    """
    prev1, carry1, carry2, flag = 0, 0, 1, 1
    ys = []
    for x in xs:
        prev1, carry1, carry2, flag = x, int(prev1 != 0) & int(carry1 != 0) | int(prev1 != 0) & int(carry2 != 0) & int(flag != 0) | int(prev1 != 0) & int(x != 0), int(not int(prev1 != 0) & int(not carry1) | int(not carry2) & int(x != 0)), int(not int(prev1 != 0) & int(carry2 != 0) | int(prev1 != 0) & int(x != 0) | int(carry1 != 0) & int(x != 0))
        ys.append(int(not carry2) & int(flag != 0))
    return ys
