"""Developer tools: each module is a ``python -m signclip_desktop.tools.<name>`` script.

Never imported at run time (tests/test_contracts.py checks it) and left out of the bundle.

* ``make_demo``: builds ``resources/demo/demo.npz`` (the built-in demo clip) from the data.
* ``calibrate``: fits ``resources/grading_calibration.json`` on signer-disjoint splits.
* ``references``: derives ``resources/references.npz`` (medoid reference motions).
* ``evaluate_practice``: measures grading, teach-a-sign and fingerspelling on the data.
* ``evaldata``: the shared-data loaders the three above use.
* ``holistic_bench``: times MediaPipe Holistic on image folders.
* ``shoulder_palm``: measures the shoulder/palm ratio behind ``normalize.SHOULDER_PER_PALM``.
* ``aspect_check``, ``speed_check``, ``rest_check``: what a picture's aspect, a signer's tempo and the
  rest around a sign do to a held-out pack.
"""


def write_json(path, result) -> None:
    """A tool's ``--json`` file (when a path was given), written whole or not at all."""
    if path:
        import json

        from ..atomic import write_atomic

        write_atomic(path, json.dumps(result, indent=2))
