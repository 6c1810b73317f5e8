"""The bottom layer: text and file helpers that content, progress and cli all share.

It imports nothing of ours, so any layer may use it (see tests/test_layers.py).
"""
