#!/usr/bin/env python3
"""Times one training epoch of litho's default model in PyTorch, the
reference for `go test ./stages/train -run '^$' -bench 'BenchmarkEpoch$' -pgo=default.pgo`
(docs/performance.md).

Same shape as BenchmarkEpoch: 160,000 rows of six standard-normal
features, batch 256 (625 steps, no partial batch), the VAE of DESIGN.md §1
(6 → Linear 32 → ReLU → BatchNorm → Dropout 0.1 → Linear 16 → … → μ and
log σ² of 10, clipped to ±20; the decoder mirrors it), loss = squared
error / batch + β·KL / batch at β = 0.1, Adam lr 1e-3.

Needs PyTorch (Debian: apt-get install python3-torch; run it with the
system Python, /usr/bin/python3). Usage:

    /usr/bin/python3 scripts/torch_epoch.py [--threads N] [--epochs E]

It prints seconds per epoch for each epoch after a warm-up epoch: wall,
the figure to compare, and the process's CPU seconds, like the Go
benchmark's cpu-s/epoch, which move less than wall time on a shared
machine.
"""
import argparse
import time

import torch
from torch import nn

ROWS, FEATURES, BATCH, LATENT, HIDDEN = 160_000, 6, 256, 10, (32, 16)


def block(n_in, n_out):
    return [nn.Linear(n_in, n_out), nn.ReLU(), nn.BatchNorm1d(n_out), nn.Dropout(0.1)]


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        enc, n = [], FEATURES
        for h in HIDDEN:
            enc += block(n, h)
            n = h
        self.encoder = nn.Sequential(*enc)
        self.mu, self.log_var = nn.Linear(n, LATENT), nn.Linear(n, LATENT)
        dec, n = [], LATENT
        for h in reversed(HIDDEN):
            dec += block(n, h)
            n = h
        self.decoder = nn.Sequential(*dec, nn.Linear(n, FEATURES))

    def forward(self, x):
        h = self.encoder(x)
        mu, log_var = self.mu(h), self.log_var(h).clamp(-20, 20)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * log_var)
        return self.decoder(z), mu, log_var


def epoch(model, opt, x, beta):
    for s in range(len(x) // BATCH):
        xb = x[s * BATCH:(s + 1) * BATCH]
        recon, mu, log_var = model(xb)
        rec = ((recon - xb) ** 2).sum() / BATCH
        kl = -0.5 * (1 + log_var - mu ** 2 - log_var.exp()).sum() / BATCH
        loss = rec + beta * kl
        opt.zero_grad()
        loss.backward()
        opt.step()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    x = torch.randn(ROWS, FEATURES)
    model = VAE()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    epoch(model, opt, x, 0.1)  # warm-up
    for _ in range(args.epochs):
        start, cpu = time.perf_counter(), time.process_time()
        epoch(model, opt, x, 0.1)
        print(f"{time.perf_counter() - start:.3f} s/epoch, {time.process_time() - cpu:.3f} cpu-s/epoch "
              f"(torch {torch.__version__}, {args.threads} thread(s))")


if __name__ == "__main__":
    main()
