"""SignCLIP Desktop: live sign recognition from MediaPipe Holistic keypoints."""
__version__ = "0.1.0"
