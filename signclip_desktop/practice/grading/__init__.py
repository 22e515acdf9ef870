"""Grading a learner's attempt at a sign against what the app knows of that sign.

Parts (``parts``): dominant-hand shape, hand location, movement and timing, from a DTW
alignment of normalised keypoints with the closest reference recording (``dtw``,
``motion``). Score 0-100 (``calibration``): a logistic model over the DTW costs and, with a
pack, the attempt's closeness to every known example of the target sign and to the pack's
own label of it (``evidence``), fitted on signer-disjoint data by ``tools.calibrate``.
The verdict (``verdict``) never contradicts its parts: an attempt whose signing hand is not
seen is not graded, and a part near 0 caps the total. Left-handed learners: the attempt is
tried mirrored too (or mirrored only with ``left_handed=True``). No Qt here.
"""
from .calibration import (
           CALIBRATION_FILE,
           FEATURES,
           VARIANTS,
           Calibration,
           feature_values,
           pack_fingerprint,
)
from .dtw import Alignment, align, dtw_path
from .evidence import SignBank, embedding_features, label_features
from .grader import Grader, Target
from .motion import (
           DTW_FPS,
           RESOURCES,
           Motion,
           dominant_slot,
           dominant_slot_motion,
           motion_from_frames,
)
from .parts import PART_TITLES, PARTS, PartResult, feedback, part_score
from .verdict import GradeResult, not_graded_reason

__all__ = ["CALIBRATION_FILE", "DTW_FPS", "FEATURES", "PARTS", "PART_TITLES", "RESOURCES", "VARIANTS", "Alignment",
           "Calibration", "GradeResult", "Grader", "Motion", "PartResult", "SignBank", "Target", "align",
           "dominant_slot", "dominant_slot_motion", "dtw_path", "embedding_features", "feature_values", "feedback",
           "label_features", "motion_from_frames", "not_graded_reason", "pack_fingerprint", "part_score"]
