"""SignCLIP Desktop: live sign recognition from MediaPipe Holistic keypoints."""
__version__ = "0.1.0"

from . import offline as _offline

_offline.apply_environment()  # before anything imports onnxruntime (it phones home when imported)
