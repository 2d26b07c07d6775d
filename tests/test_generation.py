"""generate() on a trained model: greedy, beam, sampling, KV cache, padding, the length limit."""

import pytest
import torch
from transformers import AutoModelForSeq2SeqLM

SOURCES = ["12345", "907", "31415926", "8", "5550"]


@pytest.fixture(scope="module")
def model(model_dir):
    return AutoModelForSeq2SeqLM.from_pretrained(model_dir, trust_remote_code=True).eval()


@pytest.fixture(scope="module")
def batch(tokenizer):
    return tokenizer(SOURCES, padding=True, return_tensors="pt")


def test_a_model_trained_in_the_tests_reverses_unseen_strings(model, tokenizer, tiny_corpus):
    from digit_reversal.corpus import load_corpus
    from digit_reversal.evaluation import evaluate_split

    test = load_corpus(str(tiny_corpus))["test"]  # no test string occurs in train
    scores = evaluate_split(model, tokenizer, test)
    assert scores["exact_match"] >= 0.9, scores


@pytest.mark.parametrize("options", [dict(), dict(num_beams=4, length_penalty=0.6), dict(num_beams=3, num_return_sequences=2),
                                     dict(do_sample=True, top_k=3, temperature=0.7)])
def test_cache_and_no_cache_give_identical_outputs(model, batch, options):
    outputs = []
    for use_cache in (True, False):
        torch.manual_seed(0)
        outputs.append(model.generate(**batch, use_cache=use_cache, **options))
    torch.testing.assert_close(outputs[0], outputs[1], rtol=0, atol=0)


@pytest.mark.parametrize("options", [dict(), dict(num_beams=4)])
def test_padded_batch_gives_the_same_sequences_as_each_input_alone(model, tokenizer, batch, options):
    together = tokenizer.batch_decode(model.generate(**batch, **options), skip_special_tokens=True)
    alone = [tokenizer.batch_decode(model.generate(**tokenizer([s], return_tensors="pt"), **options),
                                    skip_special_tokens=True)[0] for s in SOURCES]
    assert together == alone


def test_greedy_generate_equals_a_hand_written_greedy_loop(model, batch):
    generated = model.generate(**batch)
    # The loop: run the whole decoder on everything so far, append the argmax, until every row has </s>.
    config = model.config
    decoder_ids = torch.full((len(SOURCES), 1), config.decoder_start_token_id)
    finished = torch.zeros(len(SOURCES), dtype=torch.bool)
    with torch.no_grad():
        while not finished.all():
            logits = model(**batch, decoder_input_ids=decoder_ids, use_cache=False).logits[:, -1]
            next_ids = logits.argmax(-1).masked_fill(finished, config.pad_token_id)
            decoder_ids = torch.cat([decoder_ids, next_ids[:, None]], dim=1)
            finished |= next_ids == config.eos_token_id
    torch.testing.assert_close(generated, decoder_ids, rtol=0, atol=0)


def test_default_length_limit_is_input_plus_50_not_transformers_20(model, tokenizer):
    """With </s> suppressed, generation runs to its limit: the paper's input length + 50 (section 6.1)."""
    inputs = tokenizer(["1234567890" * 6], return_tensors="pt")  # 61 tokens with </s>
    output = model.generate(**inputs, suppress_tokens=[model.config.eos_token_id])
    assert output.shape[1] == 1 + 61 + 50  # decoder start + the limit
    assert model.generation_config.max_length is None and model.generation_config.max_new_tokens is None
    assert model.generate(**inputs, max_new_tokens=5).shape[1] == 6  # an explicit limit still wins


def test_generate_returns_attentions_per_step(model, tokenizer):
    out = model.generate(**tokenizer(["123"], return_tensors="pt"), output_attentions=True,
                         return_dict_in_generate=True)
    assert len(out.cross_attentions) == out.sequences.shape[1] - 1
    assert out.cross_attentions[0][0].shape[-1] == 4  # 3 digits + </s>
    assert len(out.encoder_attentions) == model.config.encoder_layers
