"""Training, export and evaluation of SignCLIP-style packs (needs the ``train`` extra; never imports Qt)."""
