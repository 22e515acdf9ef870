"""Run only the MediaPipe landmark models a pack needs.

Holistic is one MediaPipe graph (``holistic_landmark_cpu.binarypb`` in the pinned wheel) of
four nodes: ``PoseLandmarkCpu`` -> ``HandLandmarksLeftAndRightCpu`` (hands cropped from the
pose wrists) and ``SplitNormalizedLandmarkListCalculator`` -> ``FaceLandmarksFromPoseCpu``.
The face branch (468-point mesh from a pose-derived crop) is under a tenth of a frame's CPU
and the two hand models about half (docs/BENCHMARKS.md, ``perf/detectors.py --breakdown``).
``LandmarkGraphDetector`` loads that same graph config, drops the face nodes and streams,
and runs the rest through MediaPipe's own ``SolutionBase``: the pose and hand models and
their options are exactly Holistic's, so pose and hand keypoints are the same (see
docs/BENCHMARKS.md for the measured differences) and nothing is downloaded.

Needs (``need_for``):

* ``holistic``   - a pack that reads the face: full Holistic (``HolisticDetector``).
* ``pose``       - pose only: the graph's first node (``PoseLandmarkCpu``).
* ``pose_hands`` - hands, with or without the pose, no face: the graph without the face branch. A
  hands-only pack uses it too: Holistic finds each hand from the pose's wrist and names it
  left/right by the pose side, and a pack trained on Holistic keypoints expects exactly
  that (a palm-detector ``Hands`` graph crops and labels hands differently).

The face rows of a ``pose_hands`` frame are zeros with confidence 0 (the layout's "missing").
``hand_model="lite"`` is a measured experiment only (other hand keypoints; its model is left
out of the app bundle).
"""
from __future__ import annotations

import os
from typing import Iterable

from . import layout as L
from .holistic import MEDIAPIPE_REQUIREMENT, DetectorError, HolisticDetector, import_holistic, silenced_stderr

HOLISTIC = "holistic"
POSE_HANDS = "pose_hands"
POSE = "pose"
NEEDS = (HOLISTIC, POSE_HANDS, POSE)
HAND_MODELS = {"full": "hand_landmark_full.tflite", "lite": "hand_landmark_lite.tflite"}
_FACE_CALCULATORS = ("FaceLandmarksFromPoseCpu", "SplitNormalizedLandmarkListCalculator")
_BINARYPB = "mediapipe/modules/holistic_landmark/holistic_landmark_cpu.binarypb"


def need_for(components: Iterable[str]) -> str:
    """Which landmark graph a pack with these input components needs."""
    comps = set(components)
    unknown = comps - set(L.COMPONENT_BY_NAME)
    if unknown:
        raise ValueError(f"unknown keypoint components {sorted(unknown)}")
    if "face" in comps or not comps:
        return HOLISTIC
    return POSE if comps == {"pose"} else POSE_HANDS


def same_need(a, b) -> bool:
    """Whether packs with input components ``a`` and ``b`` run the same landmark graph (words and
    fingerspelling both run pose + hands: switching between them keeps the running detectors)."""
    if a == b:
        return True
    if a is None or b is None:
        return False
    try:
        return need_for(a) == need_for(b)
    except ValueError:  # unknown components: the pack's own error follows
        return False


def graph_config(need: str = POSE_HANDS, hand_model: str = "full"):
    """Holistic's own graph config (read from the wheel) without the face branch (``pose_hands``)
    or with the pose node only (``pose``). ``hand_model="lite"`` (an experiment: other hand
    keypoints than Holistic's, see docs/BENCHMARKS.md) swaps the wheel's lite hand model in."""
    import_holistic()  # the lean import (see holistic.py), and the calculator option protos
    import mediapipe  # noqa: PLC0415
    from mediapipe.framework import calculator_pb2  # noqa: PLC0415

    if need not in (POSE_HANDS, POSE) or hand_model not in HAND_MODELS:
        raise ValueError(f"no landmark graph for need={need!r}, hand_model={hand_model!r}")
    root = os.path.dirname(os.path.dirname(os.path.abspath(mediapipe.__file__)))
    path = os.path.join(root, _BINARYPB)
    try:
        with open(path, "rb") as f:
            full = calculator_pb2.CalculatorGraphConfig.FromString(f.read())
    except OSError as e:
        raise DetectorError(f"{path} is missing ({e}); reinstall {MEDIAPIPE_REQUIREMENT}") from e
    if sorted(n.calculator for n in full.node) != sorted(["PoseLandmarkCpu", "HandLandmarksLeftAndRightCpu",
                                                          *_FACE_CALCULATORS]):
        raise DetectorError(f"{path} is not the Holistic graph this app knows; install {MEDIAPIPE_REQUIREMENT}")
    keep_nodes = {"PoseLandmarkCpu"} | ({"HandLandmarksLeftAndRightCpu"} if need == POSE_HANDS else set())
    drop_out = ("FACE_LANDMARKS:",) + (("LEFT_HAND_LANDMARKS:", "RIGHT_HAND_LANDMARKS:") if need == POSE else ())
    cfg = calculator_pb2.CalculatorGraphConfig()
    cfg.CopyFrom(full)
    del cfg.node[:], cfg.output_stream[:], cfg.input_side_packet[:]
    for node in full.node:
        if node.calculator in keep_nodes:
            cfg.node.add().CopyFrom(node)
    cfg.output_stream.extend(s for s in full.output_stream if not s.startswith(drop_out))
    cfg.input_side_packet.extend(s for s in full.input_side_packet if not s.startswith("REFINE_FACE_LANDMARKS:"))
    cfg.type = "PoseHandsLandmarkCpu" if need == POSE_HANDS else "PoseOnlyLandmarkCpu"
    if hand_model != "full" and need == POSE_HANDS:
        cfg = _with_hand_model(cfg, HAND_MODELS[hand_model])
    return cfg


def pose_hands_graph_config():
    """Holistic's graph without the face branch (the default ``pose_hands`` graph)."""
    return graph_config(POSE_HANDS)


def _with_hand_model(cfg, model_file: str):
    """The expanded (canonical) config with every hand landmark model path set to ``model_file``."""
    from mediapipe.calculators.core import constant_side_packet_calculator_pb2 as csp  # noqa: PLC0415
    from mediapipe.framework import calculator_pb2  # noqa: PLC0415
    from mediapipe.python._framework_bindings import validated_graph_config  # noqa: PLC0415

    v = validated_graph_config.ValidatedGraphConfig()
    v.initialize(graph_config=cfg)
    out = calculator_pb2.CalculatorGraphConfig.FromString(v.binary_config)
    n = 0
    for node in out.node:
        if node.calculator == "ConstantSidePacketCalculator":
            for pk in node.options.Extensions[csp.ConstantSidePacketCalculatorOptions.ext].packet:
                if pk.string_value.endswith(HAND_MODELS["full"]):
                    pk.string_value = pk.string_value.replace(HAND_MODELS["full"], model_file)
                    n += 1
    if n != 2:
        raise DetectorError(f"expected 2 hand landmark models in the graph, found {n}")
    return out


def _solution(need: str, hand_model: str, static_image_mode: bool, smooth_landmarks: bool,
              min_detection_confidence: float, min_tracking_confidence: float):
    """A SolutionBase over the graph for ``need``, with Holistic's side packets and options."""
    import_holistic()  # first: the lean import, the calculator option protos, the version check
    from mediapipe.python.solution_base import SolutionBase  # noqa: PLC0415

    class PoseHands(SolutionBase):
        def process(self, image):
            res = super().process(input_data={"image": image})
            if res.pose_landmarks:  # as Holistic.process does
                for lm in res.pose_landmarks.landmark:
                    lm.ClearField("presence")
            return res

    cfg = graph_config(need, hand_model)
    # the same two thresholds Holistic sets (canonical node names; an expanded config has them too)
    params = {"poselandmarkcpu__posedetectioncpu__TensorsToDetectionsCalculator.min_score_thresh":
              min_detection_confidence,
              "poselandmarkcpu__poselandmarkbyroicpu__tensorstoposelandmarksandsegmentation__"
              "ThresholdingCalculator.threshold": min_tracking_confidence}
    outputs = ["pose_landmarks"] + (["left_hand_landmarks", "right_hand_landmarks"] if need == POSE_HANDS else [])
    return PoseHands(
        graph_config=cfg,
        side_inputs={
            "model_complexity": 1,
            "smooth_landmarks": smooth_landmarks and not static_image_mode,
            "enable_segmentation": False,
            "smooth_segmentation": not static_image_mode,
            "use_prev_landmarks": not static_image_mode,
        },
        calculator_params=params,
        outputs=outputs,
    )


class LandmarkGraphDetector(HolisticDetector):
    """Holistic without the face (``need="pose_hands"``) or the pose alone (``need="pose"``):
    same ``detect(image_bgr, t) -> [203, 4]``, rows not computed are zeros.

    Reuses ``HolisticDetector``'s image conversion, quiet logging, reset and close; only the
    MediaPipe solution behind it differs. Not thread-safe: one detector per thread."""

    def __init__(self, static_image_mode: bool = False, model_complexity: int = 1,
                 min_detection_confidence: float = 0.5, min_tracking_confidence: float = 0.5,
                 smooth_landmarks: bool = True, quiet: bool = True, need: str = POSE_HANDS,
                 hand_model: str = "full"):
        if model_complexity != 1:
            raise DetectorError(f"model_complexity={model_complexity} would download a model; only 1 ships with "
                                f"{MEDIAPIPE_REQUIREMENT}")
        self.need = need if hand_model == "full" else f"{need}_{hand_model}"
        self.static_image_mode = bool(static_image_mode)
        self._quiet = quiet
        self._calls = 0
        self._pose_frames = 0
        self._h = None
        try:
            with silenced_stderr(quiet):
                self._h = _solution(need, hand_model, self.static_image_mode, smooth_landmarks,
                                    min_detection_confidence, min_tracking_confidence)
                graph = getattr(self._h, "_graph", None)
                if graph is not None and hasattr(graph, "wait_until_idle"):
                    graph.wait_until_idle()
        except (DetectorError, ValueError):
            raise
        except Exception as e:  # MediaPipe's own exception types
            raise DetectorError(f"MediaPipe {need} graph cannot start ({e.__class__.__name__}: "
                                f"{str(e)[:200]}); is {MEDIAPIPE_REQUIREMENT} installed?") from e


def make_detector(components: Iterable[str] | None = None, need: str | None = None, **kwargs):
    """The cheapest detector that gives every component in ``components`` (a pack's
    ``InputSpec.components``); ``need`` forces one of ``NEEDS``. ``kwargs`` go to the detector
    (``static_image_mode``, ``min_detection_confidence``, ...). Also usable as a
    ``HolisticPool`` factory: ``factory="signclip_desktop.keypoints.landmark_graph:make_detector"``."""
    if need is None:
        need = need_for(components if components is not None else L.COMPONENT_BY_NAME)
    if need == HOLISTIC:
        return HolisticDetector(**kwargs)
    if need in (POSE_HANDS, POSE):
        kwargs.pop("refine_face", None)
        return LandmarkGraphDetector(need=need, **kwargs)
    raise ValueError(f"unknown landmark need {need!r} (one of {', '.join(NEEDS)})")


def start_detector(components: Iterable[str] | None = None, need: str | None = None, **kwargs):
    """Build the detector on a background thread now; returns a ``concurrent.futures.Future``.

    For start-up: MediaPipe's import and graph build take seconds, the pack and encoder about a
    second; start this first, load the pack meanwhile, then ``future.result()`` (re-raises a
    ``DetectorError``). The thread is a daemon: an app that quits early does not wait for it."""
    import concurrent.futures
    import threading

    fut: concurrent.futures.Future = concurrent.futures.Future()
    comps = list(components) if components is not None else None

    def build():
        if not fut.set_running_or_notify_cancel():
            return
        try:
            fut.set_result(make_detector(comps, need=need, **kwargs))
        except BaseException as e:  # handed to whoever waits on the future
            fut.set_exception(e)

    threading.Thread(target=build, name="signclip-detector-loader", daemon=True).start()
    return fut


def detector_name(det) -> str:
    """Short name for reports and the bench: ``holistic``, ``pose_hands``, ``pose`` (``_lite``: lite hands)."""
    return getattr(det, "need", HOLISTIC)
