"""Build the digit tokenizer (ids: <pad>=0, <s>=1, </s>=2, <unk>=3, '0'..'9'=4..13)."""

from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, processors
from transformers import PreTrainedTokenizerFast

# The order fixes the ids, which the model config repeats (pad 0, bos/decoder start 1, eos 2).
SPECIAL_TOKENS = {"pad_token": "<pad>", "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"}
DIGITS = "0123456789"


def build_digit_tokenizer() -> PreTrainedTokenizerFast:
    """A ready tokenizer: "123" -> [5, 6, 7, 2] (</s> appended), decode(..., skip_special_tokens=True) -> "123"."""
    vocab = {token: i for i, token in enumerate([*SPECIAL_TOKENS.values(), *DIGITS])}
    tokenizer = Tokenizer(models.WordLevel(vocab, unk_token=SPECIAL_TOKENS["unk_token"]))
    # One token per character; whitespace separates nothing and is dropped.
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Split(Regex("."), behavior="isolated")]
    )
    eos = SPECIAL_TOKENS["eos_token"]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"$A {eos}", pair=f"$A {eos} $B {eos}", special_tokens=[(eos, vocab[eos])]
    )
    tokenizer.decoder = decoders.Fuse()  # "5 4 3" -> "543"
    tokenizer.add_special_tokens(list(SPECIAL_TOKENS.values()))
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, **SPECIAL_TOKENS)
