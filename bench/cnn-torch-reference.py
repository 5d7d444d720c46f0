"""Reference throughput of the bench net in PyTorch (benchmark only, never a project dependency).

Same net as bench/cnn-throughput.ts: input 512, conv1d 16k9 -> maxpool 2 -> conv1d 32k7 ->
maxpool 2 -> conv1d 64k5 -> global average pool -> dense 64 -> dense 1 (valid padding, ReLU),
Adam, batch 64, MSE. Prints one JSON line.
"""
import json
import sys
import time

import torch
from torch import nn

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
torch.set_num_threads(threads)
torch.manual_seed(1)
n, p, batch = 1024, 512, 64
x = torch.rand(n, 1, p)
y = torch.rand(n, 1)
net = nn.Sequential(
    nn.Conv1d(1, 16, 9), nn.ReLU(), nn.MaxPool1d(2),
    nn.Conv1d(16, 32, 7), nn.ReLU(), nn.MaxPool1d(2),
    nn.Conv1d(32, 64, 5), nn.ReLU(), nn.AdaptiveAvgPool1d(1), nn.Flatten(),
    nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1),
)
opt = torch.optim.Adam(net.parameters(), lr=1e-3)


def epoch():
    perm = torch.randperm(n)
    for s in range(0, n, batch):
        idx = perm[s:s + batch]
        opt.zero_grad()
        loss = ((net(x[idx]) - y[idx]) ** 2).mean()
        loss.backward()
        opt.step()


epoch()  # warm-up
t = time.perf_counter()
for _ in range(3):
    epoch()
sps = 3 * n / (time.perf_counter() - t)
print(json.dumps({"backend": "torch " + torch.__version__, "threads": threads, "samples_per_s": round(sps)}))
