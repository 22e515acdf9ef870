"""The process must exit even when a Holistic detector is left open (MediaPipe's graph
deadlocks if it is closed during interpreter shutdown; holistic.py skips that)."""
import subprocess

from faults_helpers import REPO, python


def test_exit_with_an_open_detector():
    code = ("import cv2\n"
            "from signclip_desktop.keypoints.holistic import HolisticDetector\n"
            "from signclip_desktop.perf.clip import selftest_image_path\n"
            "d = HolisticDetector()\n"
            "d.detect(cv2.imread(str(selftest_image_path())))\n"
            "print('detected', flush=True)\n")
    p = subprocess.run([python(), "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and "detected" in p.stdout
