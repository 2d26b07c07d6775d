"""Config, save/load, attention implementations, cache, padding, generate(), attentions, checkpointing."""

import copy
import json

import pytest
import torch
from huggingface_hub.errors import StrictDataclassError
from transformers import AutoConfig, AutoModel, AutoModelForSeq2SeqLM

from modeling import (
    VanillaTransformerConfig,
    VanillaTransformerForConditionalGeneration,
    VanillaTransformerModel,
)

SMALL = dict(d_model=32, num_heads=4, d_ff=64, encoder_layers=2, decoder_layers=2)


@pytest.mark.parametrize(
    "overrides, message",
    [
        (dict(d_model=30, num_heads=4), "divisible by num_heads"),
        (dict(d_model=-8), "d_model must be a positive integer"),
        (dict(encoder_layers=0), "encoder_layers must be a positive integer"),
        (dict(dropout=1.0), r"dropout must be in \[0, 1\)"),
        (dict(dropout=-0.1), r"dropout must be in \[0, 1\)"),
        (dict(d_model=33, num_heads=3), "d_model must be even"),
        (dict(vocab_size=2), "outside the vocabulary"),
        (dict(d_model="wide"), "expected int"),
    ],
)
def test_impossible_configs_are_refused_when_built(overrides, message):
    with pytest.raises(StrictDataclassError, match=message):
        VanillaTransformerConfig(**overrides)


def test_presets_and_hf_attribute_names():
    base = VanillaTransformerConfig.from_preset("base")
    assert (base.d_model, base.num_heads, base.d_ff, base.encoder_layers, base.decoder_layers) == (512, 8, 2048, 6, 6)
    big = VanillaTransformerConfig.from_preset("big", vocab_size=37000)
    assert (big.d_model, big.num_heads, big.d_ff, big.vocab_size) == (1024, 16, 4096, 37000)
    assert (base.hidden_size, base.num_attention_heads, base.num_hidden_layers) == (512, 8, 6)
    with pytest.raises(ValueError, match="Unknown preset"):
        VanillaTransformerConfig.from_preset("huge")
    config = AutoConfig.for_model("vanilla_transformer", **SMALL)
    assert isinstance(config, VanillaTransformerConfig) and config.d_model == 32


def test_save_load_round_trip_is_exact_and_safetensors_only(tmp_path):
    torch.manual_seed(0)
    model = VanillaTransformerForConditionalGeneration(VanillaTransformerConfig(**SMALL)).eval()
    model.save_pretrained(tmp_path)
    files = {p.name for p in tmp_path.iterdir()}
    assert "model.safetensors" in files and not any(name.endswith((".bin", ".pt", ".pth")) for name in files)
    assert json.loads((tmp_path / "config.json").read_text())["auto_map"]["AutoModelForSeq2SeqLM"] == (
        "modeling_vanilla_transformer.VanillaTransformerForConditionalGeneration"
    )
    assert {"configuration_vanilla_transformer.py", "modeling_vanilla_transformer.py"} <= files

    loaded, info = AutoModelForSeq2SeqLM.from_pretrained(tmp_path, output_loading_info=True)
    assert isinstance(loaded, VanillaTransformerForConditionalGeneration)
    assert all(not info[key] for key in ("missing_keys", "unexpected_keys", "mismatched_keys")), info
    # One matrix for source embedding, target embedding and output layer (3.4), also after loading.
    shared = loaded.model.shared.weight
    assert loaded.lm_head.weight is shared and loaded.model.encoder.embed_tokens.weight is shared
    inputs = dict(input_ids=torch.tensor([[5, 6, 7, 2]]), decoder_input_ids=torch.tensor([[1, 7, 6]]))
    torch.testing.assert_close(loaded(**inputs).logits, model(**inputs).logits, rtol=0, atol=0)

    base, info = AutoModel.from_pretrained(tmp_path, output_loading_info=True)
    assert isinstance(base, VanillaTransformerModel) and not info["missing_keys"]


def _padded_batch():
    input_ids = torch.tensor([[5, 6, 7, 8, 9, 10, 2], [11, 12, 2, 0, 0, 0, 0], [4, 4, 13, 5, 2, 0, 0]])
    decoder_input_ids = torch.tensor([[1, 10, 9, 8, 7], [1, 12, 11, 0, 0], [1, 5, 13, 4, 4]])
    return dict(input_ids=input_ids, attention_mask=(input_ids != 0).long(), decoder_input_ids=decoder_input_ids)


def test_sdpa_and_eager_give_the_same_logits_and_sdpa_is_default():
    torch.manual_seed(0)
    sdpa = VanillaTransformerForConditionalGeneration(VanillaTransformerConfig(**SMALL)).eval()
    assert sdpa.config._attn_implementation == "sdpa"
    eager = copy.deepcopy(sdpa)
    eager.set_attn_implementation("eager")
    assert sdpa.config._attn_implementation == "sdpa"
    with torch.no_grad():
        torch.testing.assert_close(sdpa(**_padded_batch()).logits, eager(**_padded_batch()).logits,
                                   rtol=1e-5, atol=1e-5)


def test_padding_does_not_change_any_real_position():
    torch.manual_seed(0)
    model = VanillaTransformerForConditionalGeneration(VanillaTransformerConfig(**SMALL)).eval()
    batch = _padded_batch()
    with torch.no_grad():
        padded = model(**batch).logits
        for row, (src_len, tgt_len) in enumerate([(7, 5), (3, 3), (5, 5)]):
            alone = model(input_ids=batch["input_ids"][row : row + 1, :src_len],
                          decoder_input_ids=batch["decoder_input_ids"][row : row + 1, :tgt_len]).logits
            torch.testing.assert_close(padded[row : row + 1, :tgt_len], alone, rtol=1e-5, atol=1e-5)


def test_positions_have_no_maximum_length():
    torch.manual_seed(0)
    model = VanillaTransformerForConditionalGeneration(VanillaTransformerConfig(**SMALL)).eval()
    input_ids = torch.randint(4, 14, (1, 3000))
    with torch.no_grad():
        logits = model(input_ids=input_ids, decoder_input_ids=input_ids[:, :50]).logits
    assert logits.shape == (1, 50, 14) and torch.isfinite(logits).all()


def test_labels_give_decoder_inputs_and_smoothed_loss_only_in_training():
    torch.manual_seed(0)
    model = VanillaTransformerForConditionalGeneration(VanillaTransformerConfig(**SMALL, dropout=0.0))
    labels = torch.tensor([[7, 6, 5, 2], [9, 8, 2, -100]])
    input_ids = torch.tensor([[5, 6, 7, 2], [8, 9, 2, 0]])
    model.eval()
    out = model(input_ids=input_ids, attention_mask=(input_ids != 0).long(), labels=labels)
    expected_decoder_inputs = torch.tensor([[1, 7, 6, 5], [1, 9, 8, 2]])
    explicit = model(input_ids=input_ids, attention_mask=(input_ids != 0).long(),
                     decoder_input_ids=expected_decoder_inputs)
    torch.testing.assert_close(out.logits, explicit.logits)
    plain = torch.nn.functional.cross_entropy(explicit.logits.flatten(0, 1), labels.flatten(), ignore_index=-100)
    torch.testing.assert_close(out.loss, plain)
    model.train()
    smoothed = model(input_ids=input_ids, attention_mask=(input_ids != 0).long(), labels=labels).loss
    expected = torch.nn.functional.cross_entropy(explicit.logits.flatten(0, 1), labels.flatten(),
                                                 ignore_index=-100, label_smoothing=0.1)
    torch.testing.assert_close(smoothed, expected)


def test_output_attentions_returns_every_kind_for_every_layer():
    torch.manual_seed(0)
    model = VanillaTransformerForConditionalGeneration(VanillaTransformerConfig(**SMALL)).eval()
    out = model(**_padded_batch(), output_attentions=True, output_hidden_states=True)
    assert len(out.encoder_attentions) == len(out.decoder_attentions) == len(out.cross_attentions) == 2
    assert out.encoder_attentions[0].shape == (3, 4, 7, 7)
    assert out.decoder_attentions[0].shape == (3, 4, 5, 5)
    assert out.cross_attentions[0].shape == (3, 4, 5, 7)
    # Look-ahead mask: nothing above the diagonal; padding mask: no weight on padded source positions.
    assert out.decoder_attentions[1][0].triu(1).abs().max() == 0
    assert out.cross_attentions[0][1, :, :, 3:].abs().max() == 0
    torch.testing.assert_close(out.encoder_attentions[0].sum(-1), torch.ones(3, 4, 7))
    assert len(out.encoder_hidden_states) == len(out.decoder_hidden_states) == 3


def test_gradient_checkpointing_gives_the_same_gradients():
    torch.manual_seed(0)
    model = VanillaTransformerForConditionalGeneration(VanillaTransformerConfig(**SMALL, dropout=0.0)).train()
    batch = {**_padded_batch(), "labels": _padded_batch()["decoder_input_ids"].roll(-1, 1)}
    model(**batch).loss.backward()
    expected = {n: p.grad.clone() for n, p in model.named_parameters()}
    model.zero_grad()
    model.activation_checkpointing_enable()
    assert model.is_activation_checkpointing
    model(**batch).loss.backward()
    for name, param in model.named_parameters():
        torch.testing.assert_close(param.grad, expected[name], msg=name)


@pytest.mark.parametrize("scheme", ["randomized", "reverse_coupled"])
def test_opt_in_position_schemes_round_trip_and_keep_the_cache_exact(scheme, tmp_path):
    torch.manual_seed(0)
    model = VanillaTransformerForConditionalGeneration(
        VanillaTransformerConfig(**SMALL, position_scheme=scheme, max_position_label=64))
    batch = _padded_batch()
    model.train()
    model(**batch).logits.sum().backward()  # training draws random labels
    model.eval()
    model.save_pretrained(tmp_path)
    loaded = AutoModelForSeq2SeqLM.from_pretrained(tmp_path)
    assert loaded.config.position_scheme == scheme and loaded.config.max_position_label == 64
    inputs = dict(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
    torch.testing.assert_close(loaded(**batch).logits, model(**batch).logits, rtol=0, atol=0)  # eval: no randomness
    for options in (dict(), dict(num_beams=3)):
        cached = loaded.generate(**inputs, use_cache=True, max_new_tokens=12, **options)
        torch.testing.assert_close(cached, loaded.generate(**inputs, use_cache=False, max_new_tokens=12, **options))


def test_reverse_coupled_labels_pair_output_step_i_with_input_n_minus_1_minus_i():
    from modeling.modeling_vanilla_transformer import source_position_labels, target_position_labels

    config = VanillaTransformerConfig(**SMALL, position_scheme="reverse_coupled")
    source = torch.tensor([[5, 6, 7, 2], [8, 9, 2, 0]])  # "123</s>", "45</s><pad>"
    mask = (source != 0).long()
    assert source_position_labels(config, source, mask, training=False).tolist() == [[0, 1, 2, -1], [0, 1, -1, 3]]
    decoder = torch.ones(2, 4, dtype=torch.long)
    # step 0 reads <s> and must emit the last digit (label n-1); step n must emit </s> (label -1).
    assert target_position_labels(config, decoder, 0, mask, 4, training=False).tolist() == [[2, 1, 0, -1], [1, 0, -1, -2]]
    assert target_position_labels(config, decoder[:, :1], 2, mask, 4, training=False).tolist() == [[0], [-1]]


def test_reverse_coupled_training_labels_are_shared_distinct_and_in_range():
    from modeling.modeling_vanilla_transformer import (
        sample_coupled_label_table, source_position_labels, target_position_labels)

    config = VanillaTransformerConfig(**SMALL, position_scheme="reverse_coupled", max_position_label=50)
    torch.manual_seed(0)
    lengths = torch.randint(1, 20, (64,))
    source = torch.zeros(64, 21, dtype=torch.long)  # digits (token 5), </s> (2), padding (0)
    for row, n in enumerate(lengths):
        source[row, :n], source[row, n] = 5, 2
    mask = (source != 0).long()
    table = sample_coupled_label_table(mask, source, config.max_position_label)
    source_labels = source_position_labels(config, source, mask, True, table)
    target_labels = target_position_labels(config, torch.ones(64, 21, dtype=torch.long), 0, mask, 21, True, table)
    widths, ends = [], []
    for row, n in enumerate(lengths.tolist()):
        digits, end = source_labels[row, :n], source_labels[row, n]
        assert (digits.diff() > 0).all() and end < digits.min()  # distinct, ascending, </s> below them
        assert -1 <= end and digits.max() < config.max_position_label - 1
        ends.append(int(end))
        # output step i shares its label with input digit n-1-i, and step n (</s>) with </s>
        assert target_labels[row, :n].tolist() == digits.flip(0).tolist() and target_labels[row, n] == end
        widths.append(int(digits.max() - end) + 1)
    assert min(ends) == -1  # the </s> label of inference, -1, is trained too
    # windows from consecutive labels up to the whole range, so labels far apart are trained together
    assert min(w - n - 1 for w, n in zip(widths, lengths.tolist())) == 0 and max(widths) > 2 * max(lengths.tolist())
