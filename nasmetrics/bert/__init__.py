"""Transformer side: the NAS-Bench-BERT (FlexiBERT) search space, encoder, passes, metrics."""
