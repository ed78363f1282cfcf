"""One training step of each lesson's model in PyTorch eager, as `autograd-bench --lessons`
times it in Swift: the same models, sizes, losses and Adam, with torch's default threads and with one. Never needed for the tests; run it where torch is installed:

    python3 Benchmarks/pytorch/lessons.py     # torch's default threads, then one thread

Compare on one machine, in turns with `swift run -c release autograd-bench --lessons`
(run each two or three times, alternating: the machine's load changes).
"""
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def median_ms(step, runs, warmup=3):
    for _ in range(warmup):
        step()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def train_step(model, loss_fn, optimizer):
    def step():
        loss = loss_fn(model)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return step


class LinearRNN(nn.Module):
    """Lesson 1: h' = W_xh·x + b_xh + W_hh·h + b_hh, y = W_hy·h' + b_hy, from a learned h0."""
    def __init__(self, hidden):
        super().__init__()
        self.xh, self.hh, self.hy = nn.Linear(1, hidden), nn.Linear(hidden, hidden), nn.Linear(hidden, 1)
        self.h0 = nn.Parameter(torch.randn(hidden) * 0.5)

    def forward(self, x):
        h = self.h0.expand(x.shape[0], -1)
        outputs = []
        for t in range(x.shape[1]):
            h = self.xh(x[:, t]) + self.hh(h)
            outputs.append(self.hy(h))
        return torch.stack(outputs, 1)


class EncoderDecoder(nn.Module):
    """Lesson 2: a tanh encoder from a learned state, a decoder with no input."""
    def __init__(self, alphabet, hidden):
        super().__init__()
        self.ih, self.hh = nn.Linear(alphabet, hidden), nn.Linear(hidden, hidden)
        self.h0 = nn.Parameter(torch.randn(hidden) * 0.01)
        self.dh, self.dy = nn.Linear(hidden, hidden), nn.Linear(hidden, alphabet)

    def forward(self, x):
        h = self.h0.expand(x.shape[0], -1)
        for t in range(x.shape[1]):
            h = torch.tanh(self.ih(x[:, t]) + self.hh(h))
        outputs = []
        for _ in range(x.shape[1]):
            h = torch.tanh(self.dh(h))
            outputs.append(self.dy(h))
        return torch.stack(outputs, 1)


class Copier(nn.Module):
    """Lesson 3: encoder RNN/GRU, the state at each sequence's own last step, a decoder
    reading zeros from that state, a linear head."""
    def __init__(self, cell, classes, hidden):
        super().__init__()
        layer = nn.GRU if cell == "gru" else nn.RNN
        self.encoder = layer(classes, hidden, batch_first=True)
        self.decoder = layer(1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, classes)

    def forward(self, x, lengths):
        output, _ = self.encoder(x)
        state = output[torch.arange(x.shape[0]), lengths - 1]
        decoded, _ = self.decoder(torch.zeros(x.shape[0], x.shape[1], 1), state.unsqueeze(0))
        return self.head(decoded)


class Adder(nn.Module):
    """Lesson 4: an LSTM cell unrolled over the 5 columns of a sum (20 one-hot inputs per
    column), a linear head to 10 digits after every step."""
    def __init__(self, hidden):
        super().__init__()
        self.cell, self.head = nn.LSTMCell(20, hidden), nn.Linear(hidden, 10)

    def forward(self, x):
        h = c = torch.zeros(x.shape[0], self.cell.hidden_size)
        scores = []
        for t in range(x.shape[1]):
            h, c = self.cell(x[:, t], (h, c))
            scores.append(self.head(h))
        return torch.stack(scores, 1)


class WordLSTM(nn.Module):
    """Lesson 5: embedding, LSTM, dropout on its output, head (tied to the embedding or not)."""
    def __init__(self, vocabulary, hidden, layers, p=0.0, tied=False):
        super().__init__()
        self.embedding = nn.Embedding(vocabulary, hidden)
        self.lstm = nn.LSTM(hidden, hidden, layers, batch_first=True)
        self.drop, self.head = nn.Dropout(p), nn.Linear(hidden, vocabulary)
        if tied:
            self.head.weight = self.embedding.weight
        self.state = None

    def forward(self, x):
        raw, state = self.lstm(self.embedding(x), self.state)
        self.state = tuple(s.detach() for s in state)
        dropped = self.drop(raw)
        return self.head(dropped), raw, dropped


def steps():
    """(name, a maker of a fresh training step, runs) for each lesson's model."""
    def linear_rnn(hidden):
        model = LinearRNN(hidden)
        x, y = torch.randn(2, 99, 1), torch.randn(2, 99, 1)
        return train_step(model, lambda m: F.mse_loss(m(x), y), torch.optim.Adam(model.parameters(), lr=1e-3))

    def encoder_decoder():
        model = EncoderDecoder(3, 20)
        codes = torch.randint(0, 3, (32, 10))
        x, y = F.one_hot(codes, 3).float(), codes.flip(1)
        return train_step(model, lambda m: F.cross_entropy(m(x).reshape(-1, 3), y.reshape(-1)),
                          torch.optim.Adam(model.parameters(), lr=1e-3))

    def copier(cell):
        lengths = torch.randint(3, 15, (32,))
        lengths[0] = 14                          # T = 15, as in the experiment
        steps = int(lengths.max()) + 1
        codes = torch.zeros(32, steps, dtype=torch.long)
        for i, n in enumerate(lengths.tolist()):
            codes[i, :n] = torch.randint(1, 4, (n,))
        mask = (torch.arange(steps)[None, :] <= lengths[:, None]).float()
        x = F.one_hot(codes, 4).float()
        model = Copier(cell, 4, 200)

        def loss_fn(m):
            per = F.cross_entropy(m(x, lengths).reshape(-1, 4), codes.reshape(-1), reduction="none")
            return (per * mask.reshape(-1)).sum() / mask.sum()
        return train_step(model, loss_fn, torch.optim.Adam(model.parameters(), lr=1e-3))

    def adder():
        xs, ys = torch.randint(100, 10000, (64,)), torch.randint(100, 10000, (64,))
        places = torch.tensor([10 ** t for t in range(5)])
        digit = lambda n: (n[:, None] // places) % 10           # [64, 5], least significant first
        x = torch.cat([F.one_hot(digit(xs), 10), F.one_hot(digit(ys), 10)], 2).float()
        y = digit(xs + ys)
        model = Adder(128)
        optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)

        def step():
            loss = F.cross_entropy(model(x).reshape(-1, 10), y.reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
        return step

    def word_lstm():
        model = WordLSTM(30, 64, 2, p=0.4, tied=True)
        x, y = torch.randint(0, 30, (64, 16)), torch.randint(0, 30, (64, 16))
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2, betas=(0.9, 0.99), eps=1e-5, weight_decay=0.1)

        def loss_fn(m):
            logits, raw, dropped = m(x)
            penalty = 2 * dropped.pow(2).mean() + (raw[:, 1:] - raw[:, :-1]).pow(2).mean()
            return F.cross_entropy(logits.reshape(-1, 30), y.reshape(-1)) + penalty
        return train_step(model, loss_fn, optimizer)

    def character_lstm():
        model = WordLSTM(169, 128, 1)
        x, y = torch.randint(0, 169, (32, 64)), torch.randint(0, 169, (32, 64))
        optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)

        def step():
            loss = F.cross_entropy(model(x)[0].reshape(-1, 169), y.reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
        return step

    return [("1  linear RNN, hidden 2, batch 2 × 99 steps", lambda: linear_rnn(2), 300),
            ("1  linear RNN, hidden 4, batch 2 × 99 steps", lambda: linear_rnn(4), 300),
            ("2  tanh encoder–decoder, hidden 20, batch 32 × 10", encoder_decoder, 200),
            ("3  copier (tanh), hidden 200, batch 32 × 15", lambda: copier("tanh"), 50),
            ("3  copier (GRU), hidden 200, batch 32 × 15", lambda: copier("gru"), 50),
            ("4  adder (LSTM cell), hidden 128, batch 64 × 5", adder, 300),
            ("5  word LSTM (model 7), hidden 64, batch 64 × 16", word_lstm, 100),
            ("5  character LSTM, hidden 128, batch 32 × 64", character_lstm, 30)]


def main():
    torch.manual_seed(3)
    threads = torch.get_num_threads()
    print(f"torch {torch.__version__}")
    print(f"One training step of each lesson's model, as its experiment runs it (median ms), on {threads} threads and on 1")
    print(f"{threads:3d} threads    1 thread")
    for name, make, runs in steps():
        torch.set_num_threads(threads)
        default = median_ms(make(), runs)
        torch.set_num_threads(1)
        one = median_ms(make(), runs)
        print(f"{default:11.2f} {one:11.2f}   {name}")


if __name__ == "__main__":
    main()
