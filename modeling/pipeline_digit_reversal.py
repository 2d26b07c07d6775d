"""The `digit-reversal` pipeline: "12345" -> "54321".

Saved into the model folder by `pipeline.save_pretrained`, so it must only import installed packages.
"""

from transformers import Pipeline

# Inputs longer than this are refused before tokenization; a model trained on 1..20 digits is not
# expected to reverse them anyway, and the limit bounds the memory a single call can take.
DEFAULT_MAX_INPUT_DIGITS = 1000


def check_digit_strings(inputs, max_digits: int = DEFAULT_MAX_INPUT_DIGITS) -> list[str]:
    """Validate a digit string or a list of them; return them stripped of surrounding whitespace.

    Only ASCII digits 0-9 are accepted: other Unicode digits ("٣", "３", "²") would silently
    become <unk> in the tokenizer.
    """
    texts = [inputs] if isinstance(inputs, str) else inputs
    if not isinstance(texts, (list, tuple)):
        raise TypeError(f"Expected a string of digits or a list of them, got {type(inputs).__name__}.")
    if not texts:
        raise ValueError("Expected at least one string of digits, got an empty list.")
    checked = []
    for i, text in enumerate(texts):
        where = "" if isinstance(inputs, str) else f" (item {i})"
        if not isinstance(text, str):
            raise TypeError(f"Expected a string of digits{where}, got {type(text).__name__}.")
        text = text.strip()
        if not text:
            raise ValueError(f"Expected a string of digits{where}, got an empty string.")
        if len(text) > max_digits:
            raise ValueError(f"Input{where} has {len(text)} characters; the limit is {max_digits} digits.")
        if not (text.isascii() and text.isdigit()):
            bad = next(c for c in text if not ("0" <= c <= "9"))
            raise ValueError(f"Expected only the digits 0-9{where}, found {bad!r} in {text[:50]!r}.")
        checked.append(text)
    return checked


class DigitReversalPipeline(Pipeline):
    """Reverses strings of digits with a trained encoder-decoder; returns a string (or a list for a list)."""

    _load_tokenizer = True
    _load_processor = False
    _load_image_processor = False
    _load_video_processor = False
    _load_feature_extractor = False
    _pipeline_calls_generate = True

    def __init__(self, *args, max_input_digits: int = DEFAULT_MAX_INPUT_DIGITS, **kwargs):
        self.max_input_digits = max_input_digits
        super().__init__(*args, **kwargs)

    def __call__(self, inputs, **kwargs):
        texts = check_digit_strings(inputs, self.max_input_digits)
        outputs = super().__call__(texts, **kwargs)
        return outputs[0] if isinstance(inputs, str) else outputs

    def _sanitize_parameters(self, **generate_kwargs):
        return {}, {"generate_kwargs": generate_kwargs}, {}

    def preprocess(self, text):
        return self.tokenizer(text, return_tensors="pt")

    def _forward(self, model_inputs, generate_kwargs=None):
        generate_kwargs = self._prepare_generate_kwargs(generate_kwargs or {})
        return {"output_ids": self.model.generate(**model_inputs, **generate_kwargs)}

    def postprocess(self, model_outputs):
        return self.tokenizer.decode(model_outputs["output_ids"][0], skip_special_tokens=True)
