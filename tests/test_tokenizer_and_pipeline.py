"""The digit tokenizer (plain tokenizer.json) and the digit-reversal pipeline, in-process."""

import pytest
from transformers import AutoTokenizer, pipeline

from modeling import PIPELINE_TASK


def test_tokenizer_ids_and_decoding(tokenizer):
    encoded = tokenizer("54321")
    assert encoded["input_ids"] == [9, 8, 7, 6, 5, 2]  # one token per digit, </s> appended
    assert tokenizer.decode(encoded["input_ids"], skip_special_tokens=True) == "54321"
    assert (tokenizer.pad_token_id, tokenizer.bos_token_id, tokenizer.eos_token_id, tokenizer.unk_token_id) == (0, 1, 2, 3)
    batch = tokenizer(["12", "3456"], padding=True)
    assert batch["input_ids"][0] == [5, 6, 2, 0, 0] and batch["attention_mask"][0] == [1, 1, 1, 0, 0]
    assert tokenizer.batch_decode(batch["input_ids"], skip_special_tokens=True) == ["12", "3456"]


def test_saved_tokenizer_is_a_plain_tokenizer_json(tokenizer, tmp_path):
    tokenizer.save_pretrained(tmp_path)
    assert (tmp_path / "tokenizer.json").exists() and not list(tmp_path.glob("*.py"))
    loaded = AutoTokenizer.from_pretrained(tmp_path)
    assert type(loaded).__name__ == "TokenizersBackend"
    assert loaded("907")["input_ids"] == tokenizer("907")["input_ids"]
    assert loaded.decode(loaded("907")["input_ids"], skip_special_tokens=True) == "907"


@pytest.fixture(scope="module")
def reverser(model_dir):
    return pipeline(PIPELINE_TASK, model=str(model_dir), trust_remote_code=True)


def test_pipeline_reverses_strings_and_lists(reverser):
    assert reverser("12345") == "54321"
    assert reverser(" 2468\n") == "8642"  # surrounding whitespace is stripped
    assert reverser(["907", "12345", "8"], batch_size=2) == ["709", "54321", "8"]
    assert reverser("12345", num_beams=4) == "54321"


@pytest.mark.parametrize(
    "bad, error, message",
    [
        ("12a45", ValueError, "found 'a'"),
        ("-12", ValueError, "found '-'"),
        ("1 2", ValueError, "found ' '"),
        ("", ValueError, "empty string"),
        ("   ", ValueError, "empty string"),
        ("٣٤", ValueError, "only the digits 0-9"),
        ("１２", ValueError, "only the digits 0-9"),
        ("²", ValueError, "only the digits 0-9"),
        ([], ValueError, "empty list"),
        (["12", "x"], ValueError, r"\(item 1\)"),
        (12345, TypeError, "got int"),
        (None, TypeError, "got NoneType"),
        (b"123", TypeError, "got bytes"),
        (["12", 3], TypeError, r"\(item 1\), got int"),
        ("1" * 1001, ValueError, "limit is 1000 digits"),
    ],
)
def test_pipeline_refuses_bad_input_with_a_clear_error(reverser, bad, error, message):
    with pytest.raises(error, match=message):
        reverser(bad)
