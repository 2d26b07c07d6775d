"""Configuration of the original Transformer (Vaswani et al. 2017, "Attention Is All You Need")."""

from huggingface_hub.dataclasses import strict
from transformers import PreTrainedConfig

POSITION_SCHEMES = ("sinusoidal", "randomized", "reverse_coupled")

# Named sizes. "base" and "big" are Table 3 of the paper; "digit-reversal" is the small model that
# the training script builds by default for the digit-reversal showcase.
PRESETS = {
    "base": dict(d_model=512, num_heads=8, d_ff=2048, encoder_layers=6, decoder_layers=6, dropout=0.1),
    "big": dict(d_model=1024, num_heads=16, d_ff=4096, encoder_layers=6, decoder_layers=6, dropout=0.3),
    "digit-reversal": dict(d_model=64, num_heads=4, d_ff=256, encoder_layers=2, decoder_layers=2, dropout=0.1),
}


@strict(accept_kwargs=True)
class VanillaTransformerConfig(PreTrainedConfig):
    """The paper's hyper-parameters. The defaults are the base model (section 6.1) with the digit vocabulary.

    >>> VanillaTransformerConfig.from_preset("big", vocab_size=37000)
    """

    model_type = "vanilla_transformer"
    keys_to_ignore_at_inference = ["past_key_values"]
    # The names other transformers code reads (generate() sizes its cache from num_hidden_layers
    # of the decoder view of this config, which renames decoder_layers).
    attribute_map = {
        "hidden_size": "d_model",
        "num_attention_heads": "num_heads",
        "num_hidden_layers": "encoder_layers",
    }

    vocab_size: int = 14  # tokens shared by source and target (section 3.4); 14 = the digit tokenizer
    d_model: int = 512  # width of every sublayer output and of the embeddings (section 3.1)
    num_heads: int = 8  # h, parallel attention heads; d_k = d_v = d_model / h (section 3.2.2)
    d_ff: int = 2048  # inner width of the position-wise feed-forward network (section 3.3)
    encoder_layers: int = 6  # N identical encoder layers (section 3.1)
    decoder_layers: int = 6  # N identical decoder layers (section 3.1)
    dropout: float = 0.1  # P_drop on each sublayer output and on embeddings + positions (section 5.4)
    attention_dropout: float = 0.0  # dropout on the attention weights (not in the paper; tensor2tensor option)
    label_smoothing: float = 0.1  # epsilon_ls of the training loss (section 5.4); evaluation loss is unsmoothed
    layer_norm_eps: float = 1e-5  # epsilon of every LayerNorm (the paper does not state one)
    scale_embedding: bool = True  # multiply embeddings by sqrt(d_model) (section 3.4)
    tie_word_embeddings: bool = True  # one matrix for source, target embeddings and pre-softmax layer (3.4)
    # Position labels fed to the sinusoidal encoding. "sinusoidal": 0, 1, 2, ... (the paper's).
    # Opt-in, for length generalization: "randomized" (Ruoss et al. 2023): in training, sorted labels drawn
    # from [0, max_position_label); "reverse_coupled" (position coupling, Cho et al. 2024, for reversal):
    # output step i shares its label with input position n-1-i; in training the labels are a sorted random
    # subset of a random window of [-1, max_position_label - 1), the same on both sides.
    position_scheme: str = "sinusoidal"
    max_position_label: int = 1024  # the label range the randomized schemes train on: above the longest input
    init_std: float | None = None  # std of the embedding init; None means d_model ** -0.5 (tensor2tensor)
    pad_token_id: int | None = 0
    bos_token_id: int | None = 1
    eos_token_id: int | None = 2
    decoder_start_token_id: int | None = 1  # the decoder reads <s> first, then its own outputs
    is_encoder_decoder: bool = True
    use_cache: bool = True

    @classmethod
    def from_preset(cls, name: str, **overrides) -> "VanillaTransformerConfig":
        """A config of the named size ("base", "big" or "digit-reversal"); keyword overrides win."""
        if name not in PRESETS:
            raise ValueError(f"Unknown preset {name!r}; choose one of {sorted(PRESETS)}.")
        return cls(**{**PRESETS[name], **overrides})

    def validate_sizes(self):
        """Run by @strict when the config is built and again when it is saved."""
        for field in ("vocab_size", "d_model", "num_heads", "d_ff", "encoder_layers", "decoder_layers"):
            if getattr(self, field) < 1:
                raise ValueError(f"{field} must be a positive integer, got {getattr(self, field)}.")
        if self.d_model % self.num_heads:
            raise ValueError(f"d_model ({self.d_model}) must be divisible by num_heads ({self.num_heads}).")
        if self.d_model % 2:
            raise ValueError(f"d_model must be even for the sine/cosine position pairs, got {self.d_model}.")
        for field in ("dropout", "attention_dropout", "label_smoothing"):
            if not 0.0 <= getattr(self, field) < 1.0:
                raise ValueError(f"{field} must be in [0, 1), got {getattr(self, field)}.")
        if self.position_scheme not in POSITION_SCHEMES:
            raise ValueError(f"position_scheme must be one of {POSITION_SCHEMES}, got {self.position_scheme!r}.")
        if self.max_position_label < 1:
            raise ValueError(f"max_position_label must be positive, got {self.max_position_label}.")
        if self.init_std is not None and self.init_std <= 0:
            raise ValueError(f"init_std must be positive or None, got {self.init_std}.")
        for field in ("pad_token_id", "bos_token_id", "eos_token_id", "decoder_start_token_id"):
            token_id = getattr(self, field)
            if token_id is not None and not 0 <= token_id < self.vocab_size:
                raise ValueError(f"{field}={token_id} is outside the vocabulary (vocab_size={self.vocab_size}).")


__all__ = ["POSITION_SCHEMES", "PRESETS", "VanillaTransformerConfig"]
