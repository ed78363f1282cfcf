"""The known values of `Tests/Reference/TransformerLayersTests.swift`, computed with PyTorch's
own layers and functions. Run once where torch is installed; the tests need only its output:

    python3 Benchmarks/pytorch/transformer_values.py > Tests/Reference/TransformerValues.swift

Inputs and parameters are fixed patterns (sin of a multiple of the index), written out in the
Swift file with the values torch computed from them, to 9 significant digits.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float32)
lines = []


def pattern(shape, k, scale=1.0, offset=0.0):
    n = math.prod(shape)
    return torch.tensor([scale * math.sin(k * (i + 1)) + offset for i in range(n)], dtype=torch.float32).reshape(shape)


def emit(name, t, note=""):
    values = ", ".join(f"{v:.9g}" for v in t.detach().reshape(-1).tolist())
    lines.append(f"    /// {list(t.shape)}{' ' + note if note else ''}")
    lines.append(f"    static let {name}: [Float] = [{values}]")


def emit_module(prefix, module):
    names = [n for n, _ in module.named_parameters()]
    lines.append(f"    /// PyTorch's parameter names, in `named_parameters()` order.")
    lines.append(f"    static let {prefix}Names = [{', '.join(repr(n).replace(chr(39), chr(34)) for n in names)}]")
    for i, (n, p) in enumerate(module.named_parameters()):
        emit(f"{prefix}Param{i}", p, n)
    lines.append(f"    static let {prefix}Params = [{', '.join(f'{prefix}Param{i}' for i in range(len(names)))}]")


def set_parameters(module, k):
    with torch.no_grad():
        for i, (_, p) in enumerate(module.named_parameters()):
            p.copy_(pattern(p.shape, k + 0.37 * i, scale=0.6))


# GELU, both forms.
x = torch.tensor([-3, -1.5, -0.5, 0, 0.25, 1, 2.5], requires_grad=True)
emit("geluInput", x)
for form in ("none", "tanh"):
    y = F.gelu(x, approximate=form)
    (g,) = torch.autograd.grad(y.sum(), x)
    emit(f"gelu{form.capitalize()}", y, f"F.gelu(x, approximate='{form}')")
    emit(f"gelu{form.capitalize()}Grad", g)

# LayerNorm over the last axis with weight and bias; over the last two without.
x = pattern([2, 3, 5], 0.9, scale=2, offset=0.5).requires_grad_()
norm = nn.LayerNorm(5)
set_parameters(norm, 1.3)
r = pattern([2, 3, 5], 0.55, offset=1)
y = norm(x)
gx, gw, gb = torch.autograd.grad((y * r).sum(), [x, norm.weight, norm.bias])
emit("layerNormInput", x)
emit("layerNormWeight", norm.weight)
emit("layerNormBias", norm.bias)
emit("layerNormRowWeights", r, "the gradient is of Σ y ∗ this")
emit("layerNormOutput", y, "nn.LayerNorm(5), eps 1e-5")
emit("layerNormGradInput", gx)
emit("layerNormGradWeight", gw)
emit("layerNormGradBias", gb)
emit("layerNorm2DOutput", F.layer_norm(x, [3, 5]), "F.layer_norm(x, [3, 5]), no affine")

# Scaled dot-product attention: padding mask, then padding and causal, then a sequence
# whose every key is padding.
q = pattern([2, 2, 3, 4], 0.7, scale=1.5).requires_grad_()
k = pattern([2, 2, 4, 4], 1.1, scale=1.5).requires_grad_()
v = pattern([2, 2, 4, 3], 0.45).requires_grad_()
pad = torch.tensor([[0, 0, 0, 1], [0, 1, 1, 1]], dtype=torch.bool)
r = pattern([2, 2, 3, 3], 0.3, offset=1)
emit("attentionQuery", q)
emit("attentionKey", k)
emit("attentionValue", v)
emit("attentionRowWeights", r, "the gradient is of Σ output ∗ this")
for name, causal in (("Padded", False), ("PaddedCausal", True)):
    keep = ~pad[:, None, None, :]
    if causal:
        keep = keep & torch.ones(3, 4, dtype=torch.bool).tril()
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)
    weights = torch.softmax((q @ k.transpose(-2, -1) / 2).masked_fill(~keep, -math.inf), -1)
    gq, gk, gv = torch.autograd.grad((out * r).sum(), [q, k, v])
    emit(f"attention{name}Output", out, "F.scaled_dot_product_attention, key padding [[0,0,0,1],[0,1,1,1]]" + (", causal" if causal else ""))
    emit(f"attention{name}Weights", weights)
    emit(f"attention{name}GradQuery", gq)
    emit(f"attention{name}GradKey", gk)
    emit(f"attention{name}GradValue", gv)
allPadded = torch.tensor([[0, 0, 1, 1], [1, 1, 1, 1]], dtype=torch.bool)
emit("attentionAllPaddedOutput", F.scaled_dot_product_attention(q, k, v, attn_mask=~allPadded[:, None, None, :]),
     "sequence 1 all padding: PyTorch ≥ 2.5 gives zeros")

# MultiheadAttention, batch first: self-attention with key padding, and cross-attention.
mha = nn.MultiheadAttention(4, 2, batch_first=True)
set_parameters(mha, 0.8)
x = pattern([2, 3, 4], 1.7, scale=1.2).requires_grad_()
pad = torch.tensor([[0, 0, 1], [0, 0, 0]], dtype=torch.bool)
r = pattern([2, 3, 4], 0.35, offset=1)
out, w = mha(x, x, x, key_padding_mask=pad)
_, w_heads = mha(x, x, x, key_padding_mask=pad, average_attn_weights=False)
gx, gin = torch.autograd.grad((out * r).sum(), [x, mha.in_proj_weight])
emit_module("mha", mha)
emit("mhaInput", x)
emit("mhaRowWeights", r, "the gradient is of Σ output ∗ this")
emit("mhaOutput", out, "self-attention, key padding [[0,0,1],[0,0,0]]")
emit("mhaWeights", w, "averaged over the heads")
emit("mhaWeightsPerHead", w_heads)
emit("mhaGradInput", gx)
emit("mhaGradInProjWeight", gin)
query = pattern([2, 2, 4], 0.95)
out, w = mha(query, x, x, key_padding_mask=pad)
emit("mhaQuery", query)
emit("mhaCrossOutput", out, "mha(query, x, x, key_padding_mask)")
emit("mhaCrossWeights", w)

# Sinusoidal positions, as PyTorch's transformer tutorial's PositionalEncoding.
length, dim = 6, 8
position = torch.arange(length).unsqueeze(1)
div_term = torch.exp(torch.arange(0, dim, 2) * (-math.log(10000.0) / dim))
pe = torch.zeros(length, dim)
pe[:, 0::2] = torch.sin(position * div_term)
pe[:, 1::2] = torch.cos(position * div_term)
emit("sinusoidal6x8", pe, "the tutorial's PositionalEncoding table")

# TransformerEncoderLayer: pre-norm (relu, then gelu) and post-norm, dropout 0, key padding.
x = pattern([2, 3, 4], 0.65, scale=1.3).requires_grad_()
pad = torch.tensor([[0, 0, 0], [0, 1, 1]], dtype=torch.bool)
r = pattern([2, 3, 4], 0.25, offset=1)
emit("encoderInput", x)
emit("encoderRowWeights", r, "the gradient is of Σ output ∗ this")
for name, norm_first, activation in (("PreNorm", True, "relu"), ("PostNorm", False, "relu"), ("PreNormGELU", True, "gelu")):
    layer = nn.TransformerEncoderLayer(4, 2, dim_feedforward=6, dropout=0.0, activation=activation,
                                       batch_first=True, norm_first=norm_first)
    set_parameters(layer, 0.5)
    layer.eval()
    y = layer(x, src_key_padding_mask=pad)    # (x requires a gradient: not the "fast path")
    (gx,) = torch.autograd.grad((y * r).sum(), [x])
    if name == "PreNorm":
        emit_module("encoder", layer)
    emit(f"encoder{name}Output", y, f"norm_first={norm_first}, activation={activation}, key padding [[0,0,0],[0,1,1]]")
    emit(f"encoder{name}GradInput", gx)

# TransformerEncoder: two pre-norm layers and a final norm (names only: its values are the
# layers', applied in turn).
stack = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 6, batch_first=True, norm_first=True), 2,
                              norm=nn.LayerNorm(4), enable_nested_tensor=False)
lines.append("    /// nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(4)): PyTorch's parameter names.")
lines.append(f"    static let encoderStackNames = [{', '.join(chr(34) + n + chr(34) for n, _ in stack.named_parameters())}]")

print(f"// Generated by Benchmarks/pytorch/transformer_values.py with torch {torch.__version__}: do not edit.")
print("// PyTorch's values for TransformerLayersTests (inputs, parameters, outputs, gradients).")
print("")
print("enum TorchValues {")
print("\n".join(lines))
print("}")
