"""Grade: pick a sign, watch its reference as an animated skeleton, record (or load) an attempt,
get a 0-100 score with per-part feedback, and replay reference and attempt side by side along
the alignment."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QFrame, QGridLayout, QHBoxLayout, QLabel,
                               QPushButton, QVBoxLayout, QWidget)

from ...practice.grading import PART_TITLES, PARTS
from .common import PAGE_STYLE, Countdown, SideBySide, SkeletonPlayer, run_async


class GradePage(QWidget):
    graded = Signal(object)  # GradeResult

    def __init__(self, ctx, parent=None, countdown_s: int = 3, record_s: float = 3.0, references=None):
        super().__init__(parent)
        self.setObjectName("page")
        self.setStyleSheet(PAGE_STYLE)
        self.ctx = ctx
        self._refs = references
        self._grader = None
        self.result = None
        self.busy = False
        self.countdown = Countdown(ctx.tap, countdown_s, record_s, parent=self)
        self.countdown.tick.connect(lambda t: self.count_label.setText(t))
        self.countdown.recorded.connect(self.grade_frames)
        self.countdown.failed.connect(lambda t: self.summary.setText(t))
        self._build()  # signs and references are read when the page is first shown

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        root = QVBoxLayout(self)
        top = QFrame()
        top.setObjectName("card")
        tv = QHBoxLayout(top)
        self.sign = QComboBox()
        self.sign.setAccessibleName("Sign to practise")
        self.sign.setMinimumWidth(220)
        self.sign.currentIndexChanged.connect(self._sign_changed)
        self.left_handed = QCheckBox("Left-handed (grade mirrored)")
        self.left_handed.setToolTip("Unchecked: both readings are tried and the better one counts")
        self.record_btn = QPushButton("● Record attempt")
        self.record_btn.setObjectName("big")
        self.record_btn.clicked.connect(self.countdown.start)
        self.file_btn = QPushButton("Load attempt…")
        self.file_btn.clicked.connect(self._file_dialog)
        for w in (QLabel("Sign"), self.sign, self.left_handed):
            tv.addWidget(w)
        tv.addStretch(1)
        tv.addWidget(self.record_btn)
        tv.addWidget(self.file_btn)
        root.addWidget(top)
        mid = QHBoxLayout()
        self.reference = SkeletonPlayer("Reference")
        mid.addWidget(self.reference, 1)
        res = QFrame()
        res.setObjectName("card")
        rv = QVBoxLayout(res)
        self.count_label = QLabel("")
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        rv.addWidget(self.count_label)
        self.score = QLabel("—")
        self.score.setStyleSheet("font-size: 30pt; font-weight: 700;")
        self.score.setAlignment(Qt.AlignmentFlag.AlignCenter)
        rv.addWidget(self.score)
        self.summary = QLabel("Pick a sign, watch the reference, then record your attempt.")
        self.summary.setWordWrap(True)
        rv.addWidget(self.summary)
        grid = QGridLayout()
        self.part_labels = {}
        for r, k in enumerate(PARTS):
            name = QLabel(PART_TITLES[k])
            sc = QLabel("—")
            fb = QLabel("")
            fb.setWordWrap(True)
            fb.setObjectName("dim")
            grid.addWidget(name, r, 0)
            grid.addWidget(sc, r, 1)
            grid.addWidget(fb, r, 2)
            self.part_labels[k] = (sc, fb)
        grid.setColumnStretch(2, 1)
        rv.addLayout(grid)
        rv.addStretch(1)
        mid.addWidget(res, 1)
        root.addLayout(mid, 2)
        self.side = SideBySide()
        root.addWidget(self.side, 2)
        row = QHBoxLayout()
        self.replay_btn = QPushButton("Replay side by side")
        self.replay_btn.clicked.connect(self.side.replay)
        self.replay_btn.setEnabled(False)
        row.addStretch(1)
        row.addWidget(self.replay_btn)
        root.addLayout(row)

    # ------------------------------------------------------------------ signs and references
    def references(self):
        if self._refs is None:
            from ...practice.references import ReferenceSet

            self._refs = ReferenceSet.load()
        return self._refs

    def reload_signs(self) -> None:
        cur = self.sign.currentData()
        self.sign.blockSignals(True)
        self.sign.clear()
        try:
            lib = self.ctx.library() if self.ctx.library_exists() else None
            try:
                for s in (lib.signs() if lib else []):
                    self.sign.addItem(f"{s.name} (your sign, {s.language})", ("library", s.name, s.language))
            finally:
                if lib:
                    lib.close()
        except Exception:  # noqa: BLE001 - no library: built-in references only
            pass
        for w in self.references().words:
            self.sign.addItem(w, ("builtin", w, None))
        if cur is not None:
            i = self.sign.findData(cur)
            if i >= 0:
                self.sign.setCurrentIndex(i)
        self.sign.blockSignals(False)
        self._sign_changed()

    def select_sign(self, name: str) -> bool:
        for i in range(self.sign.count()):
            if self.sign.itemData(i)[1] == name:
                self.sign.setCurrentIndex(i)
                return True
        return False

    def reference_clips(self) -> list[tuple]:
        data = self.sign.currentData()
        if not data:
            return []
        kind, name, lang = data
        if kind == "library":
            lib = self.ctx.library()
            try:
                return [(e.frames, e.fps) for e in lib.examples(lib.get(name, lang))]
            finally:
                lib.close()
        return [(r.frames, r.fps) for r in self.references().get(name)]

    def _sign_changed(self) -> None:
        from ...keypoints.normalize import normalize_shoulders

        from ...keypoints import layout as L

        clips = self.reference_clips()
        if clips:
            # show a recording with the body in view when there is one (some sources are hands only)
            body = [c for c in clips if (c[0][:, [L.LEFT_SHOULDER, L.RIGHT_SHOULDER], 3] > 0).all(axis=1).mean() > 0.5]
            fr, fps = (body or clips)[0]
            self.reference.set_clip(normalize_shoulders(fr), fps)
        else:
            self.reference.set_clip(None)

    # ------------------------------------------------------------------ grading
    def _file_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load an attempt", "",
                                              "Recordings (*.mp4 *.mov *.avi *.mkv *.webm *.pose *.npz);;All files (*)")
        if path:
            self.grade_file(path)

    def grade_file(self, path: str) -> None:
        from ...stream.clip import load_clip

        self._start(lambda: (lambda s: (s.frames, s.fps))(load_clip(path)))

    def grade_frames(self, frames, fps: float) -> None:
        self._start(lambda: (frames, fps))

    def _start(self, get_attempt) -> None:
        if self.busy:
            return
        refs = self.reference_clips()
        if not refs:
            self.summary.setText("Pick a sign first.")
            return
        name = self.sign.currentText()
        data = self.sign.currentData()
        word = data[1] if data and data[0] == "builtin" else None
        lh = True if self.left_handed.isChecked() else None
        ctx = self.ctx
        self._set_busy(True)
        self.summary.setText("Grading…")

        def work():
            if self._grader is None:
                self._grader = ctx.grader()
            g = self._grader
            frames, fps = get_attempt()
            results = [g.grade(g.prepare(rf, rfps), frames, rfps, fps, left_handed=lh, reference_name=name,
                               word=word)
                       for rf, rfps in refs]
            return max(results, key=lambda r: r.score)

        run_async(work, self._done, self)

    def _done(self, result, err) -> None:
        self._set_busy(False)
        if err:
            self.summary.setText(f"Could not grade: {err}")
            return
        self.show_result(result)

    def show_result(self, r) -> None:
        self.result = r
        mark = "✓ PASS" if r.passed else "✗ NOT YET"
        colour = "#7bd88f" if r.passed else "#f0b53c"
        self.score.setText(f"<span style='color:{colour}'>{r.score:.0f}</span> / 100  {mark}")
        note = getattr(self._grader, "calibration_warning", "")
        self.summary.setText(r.summary + ("  (graded mirrored)" if r.mirrored else "") + (f"\nNote: {note}" if note else ""))
        for k, (sc, fb) in self.part_labels.items():
            p = r.parts[k]
            sc.setText("n/a" if not p.available else f"{p.score:.0f}")
            fb.setText(p.feedback)
        self.side.set_pair(r.reference.frames, r.attempt.frames, r.alignment.path)
        self.replay_btn.setEnabled(True)
        self.graded.emit(r)

    def _set_busy(self, b: bool) -> None:
        self.busy = b
        self.record_btn.setEnabled(not b)
        self.file_btn.setEnabled(not b)

    def page_shown(self) -> None:
        self.reload_signs()

    def page_hidden(self) -> None:
        self.countdown.cancel()
        self.reference.stop()

    def shutdown(self) -> None:
        self.page_hidden()
