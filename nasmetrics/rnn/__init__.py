"""RNN side: NAS-Bench-NLP recipes, the language model, passes and metrics."""
