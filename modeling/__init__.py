"""The original Transformer as a Hugging Face model.

Importing this package registers the config, the models and the `digit-reversal` pipeline with the
transformers Auto classes, and marks them for export: `save_pretrained` then writes `auto_map` and
copies the code files, so the saved folder loads with `trust_remote_code=True` where this package
is not installed.
"""

from transformers import AutoConfig, AutoModel, AutoModelForSeq2SeqLM
from transformers.pipelines import PIPELINE_REGISTRY

from .configuration_vanilla_transformer import PRESETS, VanillaTransformerConfig
from .modeling_vanilla_transformer import (
    VanillaTransformerForConditionalGeneration,
    VanillaTransformerModel,
    VanillaTransformerPreTrainedModel,
)
from .pipeline_digit_reversal import DEFAULT_MAX_INPUT_DIGITS, DigitReversalPipeline, check_digit_strings

PIPELINE_TASK = "digit-reversal"

AutoConfig.register(VanillaTransformerConfig.model_type, VanillaTransformerConfig, exist_ok=True)
AutoModel.register(VanillaTransformerConfig, VanillaTransformerModel, exist_ok=True)
AutoModelForSeq2SeqLM.register(VanillaTransformerConfig, VanillaTransformerForConditionalGeneration, exist_ok=True)
VanillaTransformerConfig.register_for_auto_class()
VanillaTransformerModel.register_for_auto_class("AutoModel")
VanillaTransformerForConditionalGeneration.register_for_auto_class("AutoModelForSeq2SeqLM")
PIPELINE_REGISTRY.register_pipeline(
    PIPELINE_TASK, pipeline_class=DigitReversalPipeline, pt_model=AutoModelForSeq2SeqLM, type="text"
)

__all__ = [
    "DEFAULT_MAX_INPUT_DIGITS",
    "PIPELINE_TASK",
    "PRESETS",
    "DigitReversalPipeline",
    "VanillaTransformerConfig",
    "VanillaTransformerForConditionalGeneration",
    "VanillaTransformerModel",
    "VanillaTransformerPreTrainedModel",
    "check_digit_strings",
]
