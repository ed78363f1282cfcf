"""The LSTM training step of `swift run -c release autograd-bench` in PyTorch eager: batch 32,
20 steps, 30 one-hot symbols, a linear head, cross-entropy, Adam — once with `nn.LSTM`, once as
a loop over time of a cell written from primitives (the way a student writes it). Never needed
for the tests; run it where torch is installed, in turns with the Swift benchmark:

    python3 Benchmarks/pytorch/lstm.py                       # torch's default threads
    OMP_NUM_THREADS=1 python3 Benchmarks/pytorch/lstm.py     # one thread
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from lessons import median_ms, train_step

BATCH, STEPS, SYMBOLS = 32, 20, 30


def sequences():
    codes = torch.randint(0, SYMBOLS, (BATCH, STEPS + 1))
    return F.one_hot(codes[:, :-1], SYMBOLS).float(), codes[:, 1:]


class LayerModel(nn.Module):
    def __init__(self, layer, hidden):
        super().__init__()
        self.layer = layer(SYMBOLS, hidden, batch_first=True)
        self.head = nn.Linear(hidden, SYMBOLS)

    def forward(self, x):
        return self.head(self.layer(x)[0])


class CellLoop(nn.Module):
    """gates = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh, chunked i, f, g, o, as the Swift loop."""
    def __init__(self, hidden):
        super().__init__()
        k = hidden ** -0.5
        self.wih = nn.Parameter(torch.empty(4 * hidden, SYMBOLS).uniform_(-k, k))
        self.whh = nn.Parameter(torch.empty(4 * hidden, hidden).uniform_(-k, k))
        self.bih = nn.Parameter(torch.empty(4 * hidden).uniform_(-k, k))
        self.bhh = nn.Parameter(torch.empty(4 * hidden).uniform_(-k, k))
        self.head = nn.Linear(hidden, SYMBOLS)
        self.hidden = hidden

    def forward(self, x):
        h = torch.zeros(BATCH, self.hidden)
        c = torch.zeros(BATCH, self.hidden)
        outputs = []
        for t in range(STEPS):
            gates = F.linear(x[:, t], self.wih, self.bih) + F.linear(h, self.whh, self.bhh)
            i, f, g, o = gates.chunk(4, 1)
            c = f.sigmoid() * c + i.sigmoid() * g.tanh()
            h = o.sigmoid() * c.tanh()
            outputs.append(h)
        return self.head(torch.stack(outputs, 1))


def step_ms(model, x, y, runs):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    return median_ms(train_step(model, lambda m: F.cross_entropy(m(x).reshape(-1, SYMBOLS), y.reshape(-1)), opt), runs)


def main():
    torch.manual_seed(2)
    x, y = sequences()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"LSTM training step: batch {BATCH}, {STEPS} steps, {SYMBOLS} one-hot symbols, linear head, cross-entropy, Adam (median ms)")
    print("hidden   LSTM layer   cell loop (primitives)   GRU layer   RNN layer (tanh)")
    for hidden in (8, 32, 128, 512):
        runs = 15 if hidden >= 512 else 50
        cols = [step_ms(LayerModel(nn.LSTM, hidden), x, y, runs), step_ms(CellLoop(hidden), x, y, runs),
                step_ms(LayerModel(nn.GRU, hidden), x, y, runs), step_ms(LayerModel(nn.RNN, hidden), x, y, runs)]
        print(f"{hidden:6d}   {cols[0]:10.2f}   {cols[1]:22.2f}   {cols[2]:9.2f}   {cols[3]:16.2f}")


if __name__ == "__main__":
    main()
