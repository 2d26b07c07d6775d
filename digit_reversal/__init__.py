"""The digit-reversal showcase around the model: corpus, batching, evaluation, export, Hub upload."""
