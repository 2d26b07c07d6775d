"""The digit tokenizer: one token per digit, built with the `tokenizers` library.

It is saved as a plain tokenizer.json, so `AutoTokenizer.from_pretrained(folder)` loads it without
this package.
"""

from .digit_tokenizer import SPECIAL_TOKENS, build_digit_tokenizer

__all__ = ["SPECIAL_TOKENS", "build_digit_tokenizer"]
