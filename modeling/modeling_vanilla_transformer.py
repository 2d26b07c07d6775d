"""The original Transformer (Vaswani et al. 2017, "Attention Is All You Need") as a Hugging Face model.

Section numbers in the comments are the paper's. The file only imports its sibling config relatively,
because `save_pretrained` copies both files into the model folder as Hub remote code.
"""

import math

import torch
from torch import nn
from transformers import GenerationMixin, PreTrainedModel
from transformers import initialization as init
from transformers.cache_utils import Cache, DynamicCache, EncoderDecoderCache
from transformers.masking_utils import create_causal_mask
from transformers.modeling_layers import GradientCheckpointingLayer
from transformers.modeling_outputs import BaseModelOutput, Seq2SeqLMOutput, Seq2SeqModelOutput
from transformers.modeling_utils import ALL_ATTENTION_FUNCTIONS

from .configuration_vanilla_transformer import VanillaTransformerConfig

# Section 6.1: "We set the maximum output length during inference to input length + 50".
EXTRA_OUTPUT_TOKENS = 50


def shift_tokens_right(labels: torch.Tensor, pad_token_id: int, decoder_start_token_id: int) -> torch.Tensor:
    """Teacher forcing: the decoder reads <s> y_1 ... y_{n-1} to predict y_1 ... y_n."""
    decoder_input_ids = labels.new_full(labels.shape, decoder_start_token_id)
    decoder_input_ids[:, 1:] = labels[:, :-1]
    return decoder_input_ids.masked_fill(decoder_input_ids == -100, pad_token_id)


class SinusoidalPositionalEncoding(nn.Module):
    """3.5 Positional Encoding: PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(pos / 10000^(2i/d)).

    Computed from the position labels on every call, so there is no maximum length and nothing to
    store in the checkpoint.
    """

    def __init__(self, config: VanillaTransformerConfig):
        super().__init__()
        self.d_model = config.d_model

    def forward(self, position_ids: torch.Tensor) -> torch.Tensor:
        # position_ids: (batch or 1, seq_len) -> (batch or 1, seq_len, d_model), sin and cos interleaved
        two_i = torch.arange(0, self.d_model, 2, device=position_ids.device, dtype=torch.float32)
        inverse_frequency = torch.exp(two_i * (-math.log(10000.0) / self.d_model))  # (d_model / 2,)
        angles = position_ids.to(torch.float32)[..., None] * inverse_frequency  # (batch, seq_len, d_model / 2)
        return torch.stack((angles.sin(), angles.cos()), dim=-1).flatten(-2)


def _sorted_random_labels(batch: int, length: int, label_range: int, device) -> torch.Tensor:
    """(batch, length): per row, `length` distinct integers below `label_range`, ascending."""
    label_range = max(label_range, length)
    return torch.rand(batch, label_range, device=device).topk(length, dim=-1).indices.sort(dim=-1).values


def _source_digits(attention_mask, source_length: int, device) -> torch.Tensor:
    """n per row: the source tokens before the closing </s>, (batch,) or (1,)."""
    if attention_mask is None:
        return torch.full((1,), source_length - 1, device=device)
    return attention_mask.sum(-1) - 1


def sample_coupled_label_table(attention_mask, input_ids, label_range: int) -> torch.Tensor:
    """Training labels of the reverse_coupled scheme, (batch, src_len + 1), ascending within a row.

    Entry 0 labels the closing </s>, entry j + 1 input digit j; an input of n digits uses entries
    0..n. A row's n + 1 labels are a random subset of a window of [-1, label_range - 1) at a random
    offset, whose width is log-uniform between n + 1 (consecutive labels, as at inference) and
    `label_range`. So every label that inference gives an input shorter than `label_range` is
    trained, and so are labels far apart in one string, as in a long input at inference.
    """
    batch, src_len = input_ids.shape
    device = input_ids.device
    needed = _source_digits(attention_mask, src_len, device).expand(batch) + 1  # (batch,) labels per row
    label_range = max(label_range, src_len + 1)
    low, high = needed.float().log(), math.log(label_range)
    width = (low + torch.rand(batch, device=device) * (high - low)).exp().round().long()
    width = torch.maximum(width.clamp(max=label_range), needed)  # (batch,)
    start = (torch.rand(batch, device=device) * (label_range - width + 1)).long()  # (batch,)
    # A random subset of size `needed` of 0..width-1: the `needed` highest of width random scores.
    scores = torch.rand(batch, label_range, device=device)
    scores = scores.masked_fill(torch.arange(label_range, device=device) >= width[:, None], -1.0)
    picks = scores.topk(src_len + 1, dim=-1).indices  # (batch, src_len + 1), best first
    unused = torch.arange(src_len + 1, device=device) >= needed[:, None]
    picks = picks.masked_fill(unused, label_range).sort(dim=-1).values  # used picks ascending, fillers last
    # -1 first: inference labels </s> with -1 (digit j with j), so training must reach -1 too.
    return start[:, None] - 1 + picks.clamp(max=label_range - 1)


def source_position_labels(config, input_ids, attention_mask, training: bool, label_table=None) -> torch.Tensor:
    """Labels of the source positions, (batch or 1, src_len), by config.position_scheme."""
    batch, length = input_ids.shape
    labels = torch.arange(length, device=input_ids.device)[None]  # 3.5: pos = 0, 1, 2, ...
    if config.position_scheme == "randomized" and training:
        labels = _sorted_random_labels(batch, length, config.max_position_label, input_ids.device)
    elif config.position_scheme == "reverse_coupled":
        # Digit j < n keeps label j; the closing </s> (j = n) gets -1, the label of the output step that
        # must emit </s>. Padding keeps j: it is masked anyway.
        digits = _source_digits(attention_mask, length, input_ids.device)
        labels = torch.where(labels == digits[:, None], -1, labels)
        if label_table is not None:  # training: look the labels up in the sampled table
            labels = label_table.gather(1, (labels + 1).expand(batch, length))
    return labels


def target_position_labels(config, input_ids, past_length: int, encoder_attention_mask, source_length: int,
                           training: bool, label_table=None) -> torch.Tensor:
    """Labels of the decoder positions from past_length on, (batch or 1, tgt_len), by config.position_scheme."""
    batch, length = input_ids.shape
    labels = torch.arange(past_length, past_length + length, device=input_ids.device)[None]
    if config.position_scheme == "randomized" and training:
        labels = _sorted_random_labels(batch, length, config.max_position_label, input_ids.device)
    elif config.position_scheme == "reverse_coupled":
        # Output step i copies input digit n-1-i, so both get the label n-1-i (and </s> at i = n gets -1).
        digits = _source_digits(encoder_attention_mask, source_length, input_ids.device)
        labels = digits[:, None] - 1 - labels
        if label_table is not None:  # training: the same table as the source; padding steps reuse entry 0
            labels = label_table.gather(1, (labels + 1).clamp(min=0).expand(batch, length))
    return labels


def padding_mask(attention_mask, query_length: int) -> torch.Tensor | None:
    """Keys each query may attend to, (batch, 1, query_length, key_len) bool, or None when nothing is
    padded (sdpa then runs without a mask). Materialized per query, as transformers' mask builder
    does: one training comparison on CPU ran slower with a mask broadcast over the queries."""
    if attention_mask is None or bool(attention_mask.all()):
        return None
    return attention_mask.bool()[:, None, None, :].expand(-1, 1, query_length, -1).contiguous()


def eager_attention_forward(module, query, key, value, attention_mask, scaling, dropout=0.0, **kwargs):
    """3.2.1 Scaled Dot-Product Attention: softmax(Q K^T / sqrt(d_k)) V, written out.

    `attention_mask` is either a boolean mask (True = may attend), an additive float mask, or None;
    None on a causal module means the plain look-ahead mask (aligned to the last key when a cache
    holds earlier keys).
    """
    # query: (batch, heads, q_len, head_dim); key, value: (batch, heads, k_len, head_dim)
    scores = torch.matmul(query, key.transpose(-1, -2)) * scaling  # (batch, heads, q_len, k_len)
    q_len, k_len = scores.shape[-2:]
    if attention_mask is None and module.is_causal and q_len > 1:
        attention_mask = torch.ones(q_len, k_len, dtype=torch.bool, device=scores.device).tril(k_len - q_len)
    if attention_mask is not None and attention_mask.dtype == torch.bool:
        scores = scores.masked_fill(~attention_mask, torch.finfo(scores.dtype).min)
    elif attention_mask is not None:
        scores = scores + attention_mask
    weights = nn.functional.softmax(scores, dim=-1, dtype=torch.float32).to(query.dtype)
    weights = nn.functional.dropout(weights, p=dropout, training=module.training)
    output = torch.matmul(weights, value).transpose(1, 2).contiguous()  # (batch, q_len, heads, head_dim)
    return output, weights


class VanillaTransformerAttention(nn.Module):
    """3.2.2 Multi-Head Attention: Concat(head_1, ..., head_h) W^O with head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V).

    The paper's projections have no bias. Self-attention computes Q, K, V with one fused matrix
    ([W^Q W^K W^V]); cross-attention projects the encoder output to K, V once per sequence and keeps
    them in the cache during generation.
    """

    def __init__(self, config: VanillaTransformerConfig, is_causal: bool, is_cross_attention: bool, layer_idx=None):
        super().__init__()
        self.config = config
        self.num_heads = config.num_heads
        self.head_dim = config.d_model // config.num_heads
        self.scaling = self.head_dim**-0.5  # the 1 / sqrt(d_k) of 3.2.1
        self.is_causal = is_causal  # read by the sdpa kernel when no mask tensor is given
        self.is_cross_attention = is_cross_attention
        self.layer_idx = layer_idx
        if is_cross_attention:
            self.q_proj = nn.Linear(config.d_model, config.d_model, bias=False)
            self.kv_proj = nn.Linear(config.d_model, 2 * config.d_model, bias=False)
        else:
            self.qkv_proj = nn.Linear(config.d_model, 3 * config.d_model, bias=False)
        self.out_proj = nn.Linear(config.d_model, config.d_model, bias=False)

    def _split_heads(self, projected: torch.Tensor, parts: int) -> tuple[torch.Tensor, ...]:
        # (batch, seq_len, parts * d_model) -> parts x (batch, heads, seq_len, head_dim)
        batch, seq_len, _ = projected.shape
        projected = projected.view(batch, seq_len, parts, self.num_heads, self.head_dim)
        return projected.permute(2, 0, 3, 1, 4).unbind(0)

    def forward(self, hidden_states, attention_mask=None, encoder_hidden_states=None, past_key_values=None,
                output_attentions=False):
        # hidden_states: (batch, q_len, d_model)
        if self.is_cross_attention:
            (query,) = self._split_heads(self.q_proj(hidden_states), 1)
            cross_cache = past_key_values.cross_attention_cache if past_key_values is not None else None
            if cross_cache is not None and past_key_values.is_updated.get(self.layer_idx):
                key, value = cross_cache.layers[self.layer_idx].keys, cross_cache.layers[self.layer_idx].values
            else:
                key, value = self._split_heads(self.kv_proj(encoder_hidden_states), 2)
                if cross_cache is not None:
                    key, value = cross_cache.update(key, value, self.layer_idx)
                    past_key_values.is_updated[self.layer_idx] = True
        else:
            query, key, value = self._split_heads(self.qkv_proj(hidden_states), 3)
            if past_key_values is not None:
                key, value = past_key_values.self_attention_cache.update(key, value, self.layer_idx)
        # query: (batch, heads, q_len, head_dim); key, value: (batch, heads, k_len, head_dim)

        # sdpa cannot return the weights, so a call that asks for them runs the written-out version.
        implementation = "eager" if output_attentions else self.config._attn_implementation
        attention = ALL_ATTENTION_FUNCTIONS.get_interface(implementation, eager_attention_forward)
        output, weights = attention(
            self,
            query,
            key,
            value,
            attention_mask,
            dropout=self.config.attention_dropout if self.training else 0.0,
            scaling=self.scaling,
        )
        output = output.reshape(*hidden_states.shape[:-1], -1)  # (batch, q_len, d_model)
        return self.out_proj(output), weights


class VanillaTransformerFeedForward(nn.Module):
    """3.3 Position-wise Feed-Forward Networks: FFN(x) = max(0, x W_1 + b_1) W_2 + b_2."""

    def __init__(self, config: VanillaTransformerConfig):
        super().__init__()
        self.fc1 = nn.Linear(config.d_model, config.d_ff)
        self.fc2 = nn.Linear(config.d_ff, config.d_model)

    def forward(self, hidden_states):
        return self.fc2(torch.relu(self.fc1(hidden_states)))


class VanillaTransformerEncoderLayer(GradientCheckpointingLayer):
    """3.1 Encoder layer: self-attention then feed-forward, each as LayerNorm(x + Dropout(Sublayer(x))) (5.4)."""

    def __init__(self, config: VanillaTransformerConfig):
        super().__init__()
        self.self_attn = VanillaTransformerAttention(config, is_causal=False, is_cross_attention=False)
        self.self_attn_layer_norm = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)
        self.feed_forward = VanillaTransformerFeedForward(config)
        self.final_layer_norm = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, hidden_states, attention_mask=None, output_attentions=False):
        attended, self_weights = self.self_attn(hidden_states, attention_mask, output_attentions=output_attentions)
        hidden_states = self.self_attn_layer_norm(hidden_states + self.dropout(attended))
        hidden_states = self.final_layer_norm(hidden_states + self.dropout(self.feed_forward(hidden_states)))
        return hidden_states, self_weights


class VanillaTransformerDecoderLayer(GradientCheckpointingLayer):
    """3.1 Decoder layer: masked self-attention, attention over the encoder output, feed-forward; post-LN each."""

    def __init__(self, config: VanillaTransformerConfig, layer_idx: int):
        super().__init__()
        self.self_attn = VanillaTransformerAttention(config, is_causal=True, is_cross_attention=False,
                                                     layer_idx=layer_idx)
        self.self_attn_layer_norm = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)
        self.cross_attn = VanillaTransformerAttention(config, is_causal=False, is_cross_attention=True,
                                                      layer_idx=layer_idx)
        self.cross_attn_layer_norm = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)
        self.feed_forward = VanillaTransformerFeedForward(config)
        self.final_layer_norm = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, hidden_states, encoder_hidden_states, self_attn_mask=None, cross_attn_mask=None,
                past_key_values=None, output_attentions=False):
        attended, self_weights = self.self_attn(
            hidden_states, self_attn_mask, past_key_values=past_key_values, output_attentions=output_attentions
        )
        hidden_states = self.self_attn_layer_norm(hidden_states + self.dropout(attended))
        attended, cross_weights = self.cross_attn(
            hidden_states, cross_attn_mask, encoder_hidden_states, past_key_values, output_attentions
        )
        hidden_states = self.cross_attn_layer_norm(hidden_states + self.dropout(attended))
        hidden_states = self.final_layer_norm(hidden_states + self.dropout(self.feed_forward(hidden_states)))
        return hidden_states, self_weights, cross_weights


class VanillaTransformerPreTrainedModel(PreTrainedModel):
    config: VanillaTransformerConfig
    base_model_prefix = "model"
    main_input_name = "input_ids"
    supports_gradient_checkpointing = True
    _no_split_modules = ["VanillaTransformerEncoderLayer", "VanillaTransformerDecoderLayer"]
    _supports_sdpa = True

    @torch.no_grad()
    def _init_weights(self, module):
        """The paper gives no initialization; this is tensor2tensor's, the authors' code.

        Projections: Glorot-uniform, biases zero. Embeddings: N(0, d_model^-0.5), so that after the
        sqrt(d_model) scaling of 3.4 they have unit variance, the scale of the positional encodings.
        """
        if isinstance(module, nn.Linear):
            init.xavier_uniform_(module.weight)
            if module.bias is not None:
                init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            std = self.config.init_std if self.config.init_std is not None else self.config.d_model**-0.5
            init.normal_(module.weight, mean=0.0, std=std)
        elif isinstance(module, nn.LayerNorm):
            init.ones_(module.weight)
            init.zeros_(module.bias)


class VanillaTransformerStack(nn.Module):
    """What encoder and decoder share: the embedded input, token embedding * sqrt(d_model) (3.4)
    plus positional encoding (3.5), then dropout (5.4)."""

    def __init__(self, config: VanillaTransformerConfig, embed_tokens: nn.Embedding):
        super().__init__()
        self.config = config
        self.embed_tokens = embed_tokens
        self.embed_scale = math.sqrt(config.d_model) if config.scale_embedding else 1.0
        self.positional_encoding = SinusoidalPositionalEncoding(config)
        self.dropout = nn.Dropout(config.dropout)

    def embed(self, input_ids, position_ids):
        hidden_states = self.embed_tokens(input_ids) * self.embed_scale  # (batch, seq_len, d_model)
        return self.dropout(hidden_states + self.positional_encoding(position_ids).to(hidden_states.dtype))


class VanillaTransformerEncoder(VanillaTransformerStack):
    """3.1 Encoder: a stack of N identical layers over the embedded source."""

    def __init__(self, config: VanillaTransformerConfig, embed_tokens: nn.Embedding):
        super().__init__(config, embed_tokens)
        self.layers = nn.ModuleList(VanillaTransformerEncoderLayer(config) for _ in range(config.encoder_layers))

    def forward(self, input_ids, attention_mask=None, output_attentions=False, output_hidden_states=False,
                return_dict=True, position_label_table=None):
        # input_ids: (batch, src_len)
        position_ids = source_position_labels(self.config, input_ids, attention_mask, self.training,
                                              position_label_table)
        hidden_states = self.embed(input_ids, position_ids)
        mask = padding_mask(attention_mask, input_ids.shape[1])  # (batch, 1, src_len, src_len) or None
        all_hidden_states, all_attentions = (), ()
        for layer in self.layers:
            if output_hidden_states:
                all_hidden_states += (hidden_states,)
            hidden_states, weights = layer(hidden_states, mask, output_attentions=output_attentions)
            if output_attentions:
                all_attentions += (weights,)
        if output_hidden_states:
            all_hidden_states += (hidden_states,)
        output = BaseModelOutput(
            last_hidden_state=hidden_states,
            hidden_states=all_hidden_states or None,
            attentions=all_attentions or None,
        )
        return output if return_dict else output.to_tuple()


class VanillaTransformerDecoder(VanillaTransformerStack):
    """3.1 Decoder: N identical layers; the look-ahead mask keeps position i from seeing positions > i."""

    def __init__(self, config: VanillaTransformerConfig, embed_tokens: nn.Embedding):
        super().__init__(config, embed_tokens)
        self.layers = nn.ModuleList(
            VanillaTransformerDecoderLayer(config, layer_idx=i) for i in range(config.decoder_layers)
        )

    def forward(self, input_ids, encoder_hidden_states, encoder_attention_mask=None, attention_mask=None,
                past_key_values=None, output_attentions=False, output_hidden_states=False, position_label_table=None):
        # input_ids: (batch, tgt_len), only the new tokens when a cache holds the earlier ones
        past_length = past_key_values.get_seq_length() if past_key_values is not None else 0
        position_ids = target_position_labels(self.config, input_ids, past_length, encoder_attention_mask,
                                              encoder_hidden_states.shape[1], self.training, position_label_table)
        hidden_states = self.embed(input_ids, position_ids)
        self_cache = past_key_values.self_attention_cache if past_key_values is not None else None
        if attention_mask is None and input_ids.shape[1] == 1:
            self_attn_mask = None  # one new token may see every cached one: nothing to mask
        else:  # (batch, 1, tgt_len, past + tgt_len) look-ahead (+ padding) mask, or None for the kernel's is_causal
            self_attn_mask = create_causal_mask(self.config, hidden_states, attention_mask, self_cache)
        cross_attn_mask = padding_mask(encoder_attention_mask, input_ids.shape[1])  # (batch, 1, tgt_len, src_len) or None
        all_hidden_states, all_self_attentions, all_cross_attentions = (), (), ()
        for layer in self.layers:
            if output_hidden_states:
                all_hidden_states += (hidden_states,)
            hidden_states, self_weights, cross_weights = layer(
                hidden_states,
                encoder_hidden_states,
                self_attn_mask=self_attn_mask,
                cross_attn_mask=cross_attn_mask,
                past_key_values=past_key_values,
                output_attentions=output_attentions,
            )
            if output_attentions:
                all_self_attentions += (self_weights,)
                all_cross_attentions += (cross_weights,)
        if output_hidden_states:
            all_hidden_states += (hidden_states,)
        return hidden_states, all_hidden_states or None, all_self_attentions or None, all_cross_attentions or None


class VanillaTransformerModel(VanillaTransformerPreTrainedModel):
    """Encoder and decoder over one shared embedding (3.4); returns the decoder's hidden states."""

    _tied_weights_keys = {
        "encoder.embed_tokens.weight": "shared.weight",
        "decoder.embed_tokens.weight": "shared.weight",
    }

    def __init__(self, config: VanillaTransformerConfig):
        super().__init__(config)
        self.shared = nn.Embedding(config.vocab_size, config.d_model)
        self.encoder = VanillaTransformerEncoder(config, self.shared)
        self.decoder = VanillaTransformerDecoder(config, self.shared)
        self.post_init()

    def get_input_embeddings(self):
        return self.shared

    def set_input_embeddings(self, value):
        self.shared = self.encoder.embed_tokens = self.decoder.embed_tokens = value

    def forward(
        self,
        input_ids: torch.LongTensor | None = None,
        attention_mask: torch.Tensor | None = None,
        decoder_input_ids: torch.LongTensor | None = None,
        decoder_attention_mask: torch.Tensor | None = None,
        encoder_outputs: BaseModelOutput | tuple | None = None,
        past_key_values: Cache | None = None,
        use_cache: bool | None = None,
        output_attentions: bool | None = None,
        output_hidden_states: bool | None = None,
        return_dict: bool | None = None,
    ) -> Seq2SeqModelOutput | tuple:
        output_attentions = output_attentions if output_attentions is not None else self.config.output_attentions
        output_hidden_states = (
            output_hidden_states if output_hidden_states is not None else self.config.output_hidden_states
        )
        use_cache = use_cache if use_cache is not None else self.config.use_cache
        return_dict = return_dict if return_dict is not None else self.config.return_dict
        if decoder_input_ids is None:
            raise ValueError("decoder_input_ids are required (or pass labels to the ...ForConditionalGeneration model).")

        # reverse_coupled positions: in training, random labels per pair, shared by both sides.
        label_table = None
        if self.config.position_scheme == "reverse_coupled" and self.training and input_ids is not None:
            label_table = sample_coupled_label_table(attention_mask, input_ids, self.config.max_position_label)
        if encoder_outputs is None:
            if input_ids is None:
                raise ValueError("Pass input_ids or encoder_outputs.")
            encoder_outputs = self.encoder(input_ids, attention_mask, output_attentions, output_hidden_states,
                                           position_label_table=label_table)
        elif not isinstance(encoder_outputs, BaseModelOutput):
            encoder_outputs = BaseModelOutput(*encoder_outputs)

        if use_cache and past_key_values is None:
            past_key_values = EncoderDecoderCache(DynamicCache(config=self.config), DynamicCache(config=self.config))
        hidden_states, decoder_hidden_states, decoder_attentions, cross_attentions = self.decoder(
            decoder_input_ids,
            encoder_outputs.last_hidden_state,
            encoder_attention_mask=attention_mask,
            attention_mask=decoder_attention_mask,
            past_key_values=past_key_values if use_cache else None,
            output_attentions=output_attentions,
            output_hidden_states=output_hidden_states,
            position_label_table=label_table,
        )
        output = Seq2SeqModelOutput(
            last_hidden_state=hidden_states,  # (batch, tgt_len, d_model)
            past_key_values=past_key_values if use_cache else None,
            decoder_hidden_states=decoder_hidden_states,
            decoder_attentions=decoder_attentions,
            cross_attentions=cross_attentions,
            encoder_last_hidden_state=encoder_outputs.last_hidden_state,
            encoder_hidden_states=encoder_outputs.hidden_states,
            encoder_attentions=encoder_outputs.attentions,
        )
        return output if return_dict else output.to_tuple()


class VanillaTransformerForConditionalGeneration(VanillaTransformerPreTrainedModel, GenerationMixin):
    """The full model of Figure 1: encoder-decoder plus the pre-softmax linear layer tied to the embeddings (3.4)."""

    _tied_weights_keys = {"lm_head.weight": "model.shared.weight"}

    def __init__(self, config: VanillaTransformerConfig):
        super().__init__(config)
        self.model = VanillaTransformerModel(config)
        self.lm_head = nn.Linear(config.d_model, config.vocab_size, bias=False)
        self.post_init()

    def prepare_decoder_input_ids_from_labels(self, labels: torch.Tensor) -> torch.Tensor:
        return shift_tokens_right(labels, self.config.pad_token_id, self.config.decoder_start_token_id)

    def prepare_inputs_for_generation(self, input_ids, next_sequence_length=None, past_key_values=None,
                                      attention_mask=None, decoder_attention_mask=None, encoder_outputs=None,
                                      use_cache=None, output_attentions=None, output_hidden_states=None, **kwargs):
        """The inputs of one decoding step: GenerationMixin's version without the work this model never
        needs (4D masks for compiled caches, multimodal inputs, and, for code outside transformers, a
        signature inspection on every step, measured at a tenth of batch-1 decoding time)."""
        if next_sequence_length is not None:  # with a cache, only the new tokens
            input_ids = input_ids[:, -next_sequence_length:]
        return {"decoder_input_ids": input_ids, "past_key_values": past_key_values, "attention_mask": attention_mask,
                "decoder_attention_mask": decoder_attention_mask, "encoder_outputs": encoder_outputs,
                "use_cache": use_cache, "output_attentions": output_attentions,
                "output_hidden_states": output_hidden_states}

    def forward(
        self,
        input_ids: torch.LongTensor | None = None,
        attention_mask: torch.Tensor | None = None,
        decoder_input_ids: torch.LongTensor | None = None,
        decoder_attention_mask: torch.Tensor | None = None,
        encoder_outputs: BaseModelOutput | tuple | None = None,
        past_key_values: Cache | None = None,
        labels: torch.LongTensor | None = None,
        use_cache: bool | None = None,
        output_attentions: bool | None = None,
        output_hidden_states: bool | None = None,
        return_dict: bool | None = None,
    ) -> Seq2SeqLMOutput | tuple:
        """`labels` (batch, tgt_len) ending in </s>, -100 where ignored; the loss is the token-mean cross-entropy,
        label-smoothed by `config.label_smoothing` in training mode only (5.4)."""
        return_dict = return_dict if return_dict is not None else self.config.return_dict
        if labels is not None:
            use_cache = False
            if decoder_input_ids is None:
                decoder_input_ids = self.prepare_decoder_input_ids_from_labels(labels)
        outputs = self.model(
            input_ids,
            attention_mask=attention_mask,
            decoder_input_ids=decoder_input_ids,
            decoder_attention_mask=decoder_attention_mask,
            encoder_outputs=encoder_outputs,
            past_key_values=past_key_values,
            use_cache=use_cache,
            output_attentions=output_attentions,
            output_hidden_states=output_hidden_states,
            return_dict=True,
        )
        logits = self.lm_head(outputs.last_hidden_state)  # (batch, tgt_len, vocab_size)
        loss = None
        if labels is not None:
            loss = nn.functional.cross_entropy(
                logits.flatten(0, 1).float(),
                labels.flatten(),
                ignore_index=-100,
                label_smoothing=self.config.label_smoothing if self.training else 0.0,
            )
        output = Seq2SeqLMOutput(loss=loss, logits=logits, **{k: v for k, v in outputs.items() if k != "last_hidden_state"})
        return output if return_dict else output.to_tuple()

    def generate(self, inputs: torch.Tensor | None = None, generation_config=None, **kwargs):
        """GenerationMixin.generate with the paper's length limit (6.1) as the default: input length + 50.

        Without it, transformers' default max_length of 20 would cut every longer output short.
        """
        config = generation_config if generation_config is not None else self.generation_config
        source = inputs if inputs is not None else kwargs.get("input_ids")
        length_given = any(
            value is not None
            for value in (kwargs.get("max_length"), kwargs.get("max_new_tokens"), config.max_length,
                          config.max_new_tokens)
        )
        if not length_given and source is not None:
            kwargs["max_new_tokens"] = source.shape[-1] + EXTRA_OUTPUT_TOKENS
        return super().generate(inputs, generation_config=generation_config, **kwargs)


__all__ = [
    "VanillaTransformerPreTrainedModel",
    "VanillaTransformerModel",
    "VanillaTransformerForConditionalGeneration",
]
