"""The model is the paper's: its logits equal an independent NumPy transcription of the paper's equations.

The oracle below is written from the paper (sections 3.1-3.5), not from our modules: it reads the
weights by name, runs every sequence alone at its true length (no padding, no masks beyond the
look-ahead one), and the model runs the same examples as one padded batch.
"""

import numpy as np
import pytest
import torch

from modeling import VanillaTransformerConfig, VanillaTransformerForConditionalGeneration


def layer_norm(x, gain, bias, eps):
    return (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + eps) * gain + bias


def positional_encoding(length, d_model):
    """3.5: PE(pos, 2i) = sin(pos / 10000^(2i/d_model)), PE(pos, 2i+1) = cos(pos / 10000^(2i/d_model))."""
    pe = np.zeros((length, d_model))
    for pos in range(length):
        for i in range(d_model // 2):
            pe[pos, 2 * i] = np.sin(pos / 10000 ** (2 * i / d_model))
            pe[pos, 2 * i + 1] = np.cos(pos / 10000 ** (2 * i / d_model))
    return pe


def attention(q, k, v, causal):
    """3.2.1: softmax(Q K^T / sqrt(d_k)) V, with the look-ahead mask of 3.2.3 in decoder self-attention."""
    scores = q @ k.T / np.sqrt(q.shape[-1])
    if causal:
        scores = np.where(np.tril(np.ones_like(scores)) > 0, scores, -np.inf)
    weights = np.exp(scores - scores.max(-1, keepdims=True))
    return (weights / weights.sum(-1, keepdims=True)) @ v


def multi_head(x_q, x_kv, w_q, w_k, w_v, w_o, heads, causal=False):
    """3.2.2: Concat(head_1..head_h) W^O, head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V); W as (d_in, d_out)."""
    d_k = w_q.shape[1] // heads
    parts = [
        attention(x_q @ w_q[:, i * d_k:(i + 1) * d_k], x_kv @ w_k[:, i * d_k:(i + 1) * d_k],
                  x_kv @ w_v[:, i * d_k:(i + 1) * d_k], causal)
        for i in range(heads)
    ]
    return np.concatenate(parts, -1) @ w_o


def oracle_logits(weights, config, source_ids, decoder_ids):
    """Figure 1, one example at a time; `weights` maps our parameter names to float64 arrays."""
    d, h, eps = config.d_model, config.num_heads, config.layer_norm_eps
    W = lambda name: weights[name].T  # torch stores (out, in); the paper multiplies x W with W (in, out)
    b = lambda name: weights[name]
    embedding = weights["model.shared.weight"]  # 3.4: one matrix for both embeddings and the output layer

    def ffn(x, prefix):  # 3.3: max(0, x W1 + b1) W2 + b2
        return np.maximum(0, x @ W(prefix + "fc1.weight") + b(prefix + "fc1.bias")) @ W(prefix + "fc2.weight") + b(prefix + "fc2.bias")

    def sublayer(x, out, norm):  # 3.1 + 5.4: LayerNorm(x + Sublayer(x)), dropout off at inference
        return layer_norm(x + out, b(norm + ".weight"), b(norm + ".bias"), eps)

    x = embedding[source_ids] * np.sqrt(d) + positional_encoding(len(source_ids), d)
    for i in range(config.encoder_layers):
        p = f"model.encoder.layers.{i}."
        wq, wk, wv = np.split(W(p + "self_attn.qkv_proj.weight"), 3, axis=1)
        x = sublayer(x, multi_head(x, x, wq, wk, wv, W(p + "self_attn.out_proj.weight"), h), p + "self_attn_layer_norm")
        x = sublayer(x, ffn(x, p + "feed_forward."), p + "final_layer_norm")
    memory = x

    y = embedding[decoder_ids] * np.sqrt(d) + positional_encoding(len(decoder_ids), d)
    for i in range(config.decoder_layers):
        p = f"model.decoder.layers.{i}."
        wq, wk, wv = np.split(W(p + "self_attn.qkv_proj.weight"), 3, axis=1)
        y = sublayer(y, multi_head(y, y, wq, wk, wv, W(p + "self_attn.out_proj.weight"), h, causal=True),
                     p + "self_attn_layer_norm")
        wk, wv = np.split(W(p + "cross_attn.kv_proj.weight"), 2, axis=1)
        y = sublayer(y, multi_head(y, memory, W(p + "cross_attn.q_proj.weight"), wk, wv,
                                   W(p + "cross_attn.out_proj.weight"), h), p + "cross_attn_layer_norm")
        y = sublayer(y, ffn(y, p + "feed_forward."), p + "final_layer_norm")
    return y @ embedding.T  # pre-softmax linear transformation, tied to the embeddings


@pytest.mark.parametrize("attn_implementation", ["sdpa", "eager"])
def test_logits_match_numpy_transcription_of_the_paper(attn_implementation):
    torch.manual_seed(0)
    config = VanillaTransformerConfig(d_model=32, num_heads=4, d_ff=64, encoder_layers=2, decoder_layers=2)
    model = VanillaTransformerForConditionalGeneration(config).double().eval()
    model.set_attn_implementation(attn_implementation)
    weights = {name: tensor.detach().numpy() for name, tensor in model.state_dict().items()}

    # Three sources and targets of different lengths, right-padded into one batch (pad id 0).
    sources = [[5, 6, 7, 8, 9, 2], [13, 4, 2], [7, 7, 7, 8, 2]]
    decoder_inputs = [[1, 9, 8, 7], [1, 4, 13, 6, 5, 11], [1, 8]]
    pad = lambda rows: torch.tensor([r + [0] * (max(map(len, rows)) - len(r)) for r in rows])
    input_ids, decoder_input_ids = pad(sources), pad(decoder_inputs)
    with torch.no_grad():
        logits = model(input_ids=input_ids, attention_mask=(input_ids != 0).long(),
                       decoder_input_ids=decoder_input_ids).logits.numpy()

    for row, (source, target) in enumerate(zip(sources, decoder_inputs)):
        expected = oracle_logits(weights, config, np.array(source), np.array(target))
        np.testing.assert_allclose(logits[row, : len(target)], expected, atol=1e-5, rtol=0)
