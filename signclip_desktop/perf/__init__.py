"""Benchmarks of the live pipeline (``signclip-desktop bench``); no Qt."""
