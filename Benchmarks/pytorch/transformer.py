"""The transformer encoder training step of `swift run -c release autograd-bench --transformer`
in PyTorch eager: tokens of a vocabulary of 32, embedding + sin/cos positions, one pre-norm
`nn.TransformerEncoderLayer` (feed-forward 4·d, relu, dropout 0.1, batch first), a linear
head, cross-entropy over every position, Adam; the second half of the batch is padding over
its last quarter (key_padding_mask). Never needed for the tests; run it where torch is
installed, in turns with the Swift benchmark:

    python3 Benchmarks/pytorch/transformer.py                       # torch's default threads
    OMP_NUM_THREADS=1 python3 Benchmarks/pytorch/transformer.py     # one thread
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from lessons import median_ms, train_step

VOCABULARY = 32
SIZES = [(64, 4, 32, 32), (128, 8, 64, 32)]    # d_model, heads, length, batch


class EncoderModel(nn.Module):
    def __init__(self, d_model, heads, length):
        super().__init__()
        self.embed = nn.Embedding(VOCABULARY, d_model)
        position = torch.arange(length).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(length, d_model)
        pe[:, 0::2] = torch.sin(position * div_term)
        pe[:, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe)
        self.layer = nn.TransformerEncoderLayer(d_model, heads, 4 * d_model, dropout=0.1, batch_first=True, norm_first=True)
        self.head = nn.Linear(d_model, VOCABULARY)

    def forward(self, codes, padding):
        x = self.embed(codes) + self.pe[: codes.shape[1]]
        return self.head(self.layer(x, src_key_padding_mask=padding))


def main():
    torch.manual_seed(3)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print("Transformer encoder training step: embedding + sin/cos positions, one pre-norm encoder layer")
    print("(feed-forward 4·d, dropout 0.1), linear head, cross-entropy, Adam; key padding on half the batch (median ms)")
    for d_model, heads, length, batch in SIZES:
        model = EncoderModel(d_model, heads, length)
        x, y = torch.randint(0, VOCABULARY, (batch, length)), torch.randint(0, VOCABULARY, (batch, length))
        padding = torch.zeros(batch, length, dtype=torch.bool)
        padding[batch // 2:, 3 * length // 4:] = True
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss = lambda m: F.cross_entropy(m(x, padding).reshape(-1, VOCABULARY), y.reshape(-1))
        runs = 20 if d_model >= 128 else 50
        print(f"{median_ms(train_step(model, loss, opt), runs):8.2f}   d_model {d_model}, {heads} heads, batch {batch} × {length}")


if __name__ == "__main__":
    main()
