#!/usr/bin/env python3
"""Time one training step (forward + backward + AdamW) of the reference RNN in PyTorch on CPU,
one thread, for comparison with mips (`cargo bench -p mips-core --bench train_step` runs this
script too and prints both).

Architecture (as in the reference code): h_t = hmlp([h_{t-1}, x_t]), y_t = ymlp(h_t), with
hmlp = Linear(hidden+input, width) -> ReLU -> Linear(width, hidden) and ymlp = Linear(hidden, output);
log loss 0.5*ln(1+(y_hat-y)^2), AdamW lr 1e-3. Prints one line per batch size:
`batch <B> steps_per_s <S>`.
"""
import argparse
import sys
import time

try:
    import torch
    from torch import nn
except ImportError:
    print("torch not installed", file=sys.stderr)
    sys.exit(3)


class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        layers = []
        for k in range(len(sizes) - 1):
            layers.append(nn.Linear(sizes[k], sizes[k + 1]))
            if k + 2 < len(sizes):
                layers.append(nn.ReLU())
        self.mlp = nn.Sequential(*layers)

    def forward(self, x):
        return self.mlp(x)


class RNN(nn.Module):
    def __init__(self, input_dim, hidden, f_widths, g_widths, output_dim):
        super().__init__()
        self.hidden = hidden
        self.hmlp = MLP([hidden + input_dim, *f_widths, hidden])
        self.ymlp = MLP([hidden, *g_widths, output_dim])

    def forward(self, x):
        h = torch.zeros(x.shape[0], self.hidden)
        outs = []
        for t in range(x.shape[1]):
            h = self.hmlp(torch.cat([h, x[:, t]], dim=-1))
            outs.append(self.ymlp(h))
        return torch.stack(outs, dim=1)


def steps_per_second(batch, seq_len, hidden, width, seconds):
    torch.manual_seed(0)
    model = RNN(1, hidden, [width] if width else [], [], 1)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.0)
    x = torch.randint(0, 10, (batch, seq_len, 1)).float()
    y = torch.cumsum(x, dim=1) % 3

    def step():
        opt.zero_grad(set_to_none=True)
        y_hat = model(x)
        loss = (0.5 * torch.log1p((y_hat - y) ** 2)).mean()
        loss.backward()
        opt.step()

    for _ in range(20):
        step()
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        step()
        count += 1
    return count / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", default="256,4096")
    parser.add_argument("--seq-len", type=int, default=10)
    parser.add_argument("--hidden", type=int, default=4)
    parser.add_argument("--width", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}", file=sys.stderr)
    for b in [int(v) for v in args.batches.split(",")]:
        s = steps_per_second(b, args.seq_len, args.hidden, args.width, args.seconds)
        print(f"batch {b} steps_per_s {s:.1f}", flush=True)


if __name__ == "__main__":
    main()
