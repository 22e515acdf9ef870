"""Grade: pick a sign, watch its reference as an animated skeleton, record (or load) an attempt,
get a 0-100 score with per-part feedback, and replay reference and attempt side by side along
the alignment."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QFrame, QGridLayout, QHBoxLayout, QLabel,
                               QPushButton, QVBoxLayout, QWidget)

from .. import theme
from ...languages import short_name
from ...practice.grading import PART_TITLES, PARTS
from .common import PAGE_STYLE, Countdown, SideBySide, page_body, run_async
from .live_mirror import NO_CAMERA_TEXT, LiveMirror, MirrorRecording, bind_record_keys


class GradePage(MirrorRecording, QWidget):
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
        tap = (lambda sec: ctx.tap(sec) if ctx.can_record() else None) if ctx.tap else None
        self.countdown = Countdown(tap, countdown_s, record_s, parent=self, can_record=ctx.can_record,
                                   refuse_text=NO_CAMERA_TEXT)
        self.mirror = LiveMirror(ctx, min_size=(240, 180))
        self.countdown.tick.connect(lambda t: self.mirror.set_state(t, self.countdown.state == "recording"))
        self.countdown.recorded.connect(self.grade_frames)
        self.countdown.failed.connect(self._failed)
        self._build()  # signs and references are read when the page is first shown
        bind_record_keys(self, self._toggle, self.countdown.cancel)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        root = QVBoxLayout(page_body(self))
        top = QFrame()
        top.setObjectName("card")
        tv = QHBoxLayout(top)
        self.sign = QComboBox()
        self.sign.setAccessibleName("Sign to practise")
        self.sign.setMinimumWidth(220)
        self.sign.currentIndexChanged.connect(self._sign_changed)
        self.left_handed = QCheckBox("Left-handed")
        self.left_handed.setToolTip("Checked: your attempt is graded mirrored. Unchecked: both readings are tried "
                                    "and the better one counts")
        self.record_btn = QPushButton("● Record")
        self.record_btn.setObjectName("big")
        self.record_btn.setToolTip("Countdown, then a recording from the live camera (Space; Esc cancels)")
        self.record_btn.clicked.connect(self.record)
        self.file_btn = QPushButton("Load attempt…")
        self.file_btn.clicked.connect(self._file_dialog)
        for w in (QLabel("Sign"), self.sign, self.left_handed):
            tv.addWidget(w)
        tv.addStretch(1)
        tv.addWidget(self.record_btn)
        tv.addWidget(self.file_btn)
        root.addWidget(top)
        mid = QHBoxLayout()
        mid.addWidget(self.mirror, 2)
        res = QFrame()
        res.setObjectName("card")
        rv = QVBoxLayout(res)
        self.score = QLabel("—")
        self.score.setStyleSheet("font-size: 24pt; font-weight: 700;")
        self.score.setAlignment(Qt.AlignmentFlag.AlignCenter)
        rv.addWidget(self.score)
        self.summary = QLabel("Pick a sign, watch the reference, then record your attempt.")
        self.summary.setWordWrap(True)
        rv.addWidget(self.summary)
        self.advice = QLabel("")
        self.advice.setWordWrap(True)
        self.advice.setAccessibleName("Advice, most important first")
        rv.addWidget(self.advice)
        grid = QGridLayout()
        self.part_labels = {}
        for r, k in enumerate(PARTS):
            name = QLabel(PART_TITLES[k])
            sc = QLabel("—")
            sc.setMinimumWidth(sc.fontMetrics().horizontalAdvance("100 ") + 4)
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
        mid.addWidget(res, 3)
        root.addLayout(mid, 3)
        self.side = SideBySide()  # the reference plays on its left before grading, then both along the alignment
        self.reference = self.side.left
        for player in (self.side.left, self.side.right):
            player.view.setMinimumSize(200, 140)
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
                    self.sign.addItem(f"{s.name} (your sign, {short_name(s.language)})", ("library", s.name, s.language))
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
            self.side.set_pair(None, None, [])
            self.replay_btn.setEnabled(False)
            self.reference.loop = True
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

    def _tell(self, text: str) -> None:
        self.summary.setText(text)

    def _start(self, get_attempt) -> None:
        if self.busy:
            return
        refs = self.reference_clips()
        if not refs:
            self.summary.setText("Pick a sign first.")
            return
        name = self.sign.currentText()
        kind, plain, _lang = self.sign.currentData()
        word = plain if kind == "builtin" else None
        sign_name = plain if kind == "library" else None
        lh = True if self.left_handed.isChecked() else None
        ctx = self.ctx
        self._set_busy(True)
        self.summary.setText("Grading…")

        def work():
            if self._grader is None:
                self._grader = ctx.grader()
            g = self._grader
            frames, fps = get_attempt()
            target = g.target(refs, name, word=word, sign_name=sign_name)  # every reference of the sign at once
            return g.grade_target(target, frames, fps, left_handed=lh)

        run_async(work, self._done, self)

    def _done(self, result, err) -> None:
        self._set_busy(False)
        if err:
            self.summary.setText(f"Could not grade: {err}")
            return
        self.show_result(result)

    def show_result(self, r) -> None:
        """A graded result with its score, parts and advice; a not-graded one with its reason only."""
        self.result = r
        if not r.graded:
            self.score.setText("<span style='color:#f0b53c'>not graded</span>")
            self.summary.setText(r.reason or "not graded")
            self.advice.setText("")
            for sc, fb in self.part_labels.values():
                sc.setText("n/a")
                fb.setText("")
            self._sign_changed()  # nothing to replay: the reference plays on, the attempt side is empty
            self.graded.emit(r)
            return
        mark = "✓ PASS" if r.passed else "✗ NOT YET"
        colour = "#7bd88f" if r.passed else "#f0b53c"
        self.score.setText(f"<span style='color:{colour}'>{r.score:.0f}</span> / 100  {mark}"
                           f"<span style='font-size:{theme.pt(0)}pt; font-weight:normal; color:{theme.TEXT_DIM}'>&nbsp;&nbsp;pass mark "
                           f"{r.pass_score:.0f}</span>")
        self.score.setToolTip(f"How sure the grader is that this is the sign, 0-100. {r.pass_score:.0f} or more "
                              "passes; the mark means the same for every sign (calibrated on signers the model "
                              "never saw). The parts below say what to work on.")
        note = getattr(self._grader, "calibration_warning", "")
        extra = [" (graded mirrored)" if r.mirrored else "",
                 f"\nIt looks more like “{r.looks_like}”." if r.looks_like else "", f"\nNote: {note}" if note else ""]
        self.summary.setText(r.summary + "".join(extra))
        self.advice.setText("\n".join(f"{i + 1}. {a}" for i, a in enumerate(r.advice[:3])))
        for k, (sc, fb) in self.part_labels.items():
            p = r.parts.get(k)
            ok = p is not None and p.available and p.score is not None and p.score == p.score  # NaN: not measured
            sc.setText(f"{p.score:.0f}" if ok else "n/a")
            fb.setText(p.feedback if p is not None else "")
        self.side.set_pair(r.reference.frames, r.attempt.frames, r.alignment.path)
        self.replay_btn.setEnabled(True)
        self.graded.emit(r)

    def _set_busy(self, b: bool) -> None:
        self.busy = b
        self.record_btn.setEnabled(not b)
        self.file_btn.setEnabled(not b)

    def page_shown(self) -> None:
        self.reload_signs()
        self.mirror.refresh_source()

    def page_hidden(self) -> None:
        self.countdown.cancel()
        self.mirror.set_state("")
        self.reference.stop()

    def shutdown(self) -> None:
        self.page_hidden()
