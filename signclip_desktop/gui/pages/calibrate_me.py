"""Calibrate to me: a guided, skippable dialog in which the user signs the pack's most common
signs twice each; every pair becomes a personal prototype of that sign (``practice/personalize.py``
holds the plan and the storing), and live recognition picks it up at once.

Space records the next example (countdown over the live stream, as Teach a sign does), Esc
cancels a countdown (or closes), Skip drops the sign. Nothing is recorded from the built-in
demo. ``open_calibrate_me(win)`` opens it from a menu; ``offer_once(win)`` opens it the
first time a camera plays, once per user (``Settings.calibration_offered``).
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QDialog, QHBoxLayout, QLabel, QProgressBar, QPushButton, QSizePolicy, QVBoxLayout,
                               QWidget)

from .. import theme
from ..widgets import VideoView
from .common import PAGE_STYLE, Countdown, run_async

NO_CAMERA = "No camera: open a file or retry the camera (nothing is recorded from the built-in demo)."


class CalibrateMe(QDialog):
    def __init__(self, ctx, parent=None, countdown_s: int = 3, record_s: float = 3.0, n_signs: int | None = None,
                 repeats: int | None = None):
        super().__init__(parent)
        from ...practice import personalize as P

        self.setWindowTitle("Calibrate to me")
        self.setObjectName("page")
        self.setStyleSheet(PAGE_STYLE + (
            f"QLabel#calPrompt {{ font-size: {theme.pt(9)}pt; font-weight: 700; }}"
            f"QLabel#calCount {{ font-size: {theme.pt(5)}pt; font-weight: 700; color: {theme.ACCENT or '#7cc4ff'}; }}"))
        self.ctx = ctx
        self.pack = ctx.current_pack()
        steps = P.plan(self.pack, n_signs or P.DEFAULT_SIGNS, repeats or P.DEFAULT_REPEATS) if self.pack else []
        self.progress = P.Progress(steps)
        self.pending: list = []          # NewExample of the sign being recorded
        self.saved: list[str] = []       # label ids stored in the library
        self.saving = 0
        self._source = ""
        self.countdown = Countdown(self._tap, countdown_s, record_s, parent=self)
        self.countdown.tick.connect(lambda t: self.count_label.setText(t))
        self.countdown.recorded.connect(self.add_recording)
        self.countdown.failed.connect(self._failed)
        self._build()
        self._live = QTimer(self)
        self._live.timeout.connect(self._show_live)
        self._last_frame = None
        self._refresh()

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        root = QVBoxLayout(self)
        h = QLabel("CALIBRATE TO ME")
        h.setObjectName("heading")
        root.addWidget(h)
        n = len({s.label for s in self.progress.steps})
        reps = self.progress.steps[0].repeats if self.progress.steps else 2
        self.intro = QLabel(
            f"Sign each of the {n} most common signs {reps} times, so the app learns how you sign them. "
            "Press Space to record (3-second countdown, then 3 seconds), Esc to stop, "
            "Skip for a sign you do not use. You can do this later from the menu.")
        self.intro.setWordWrap(True)
        root.addWidget(self.intro)
        body = QHBoxLayout()
        self.view = VideoView()
        self.view.setMinimumSize(320, 240)
        self.view.show_face = False
        body.addWidget(self.view, 3)
        side = QVBoxLayout()
        self.prompt = QLabel("")
        self.prompt.setObjectName("calPrompt")
        self.prompt.setWordWrap(True)
        self.prompt.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.where = QLabel("")
        self.where.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, max(1, len(self.progress.steps)))
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName("Calibration progress")
        self.count_label = QLabel("")
        self.count_label.setObjectName("calCount")
        self.count_label.setWordWrap(True)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        for w in (self.prompt, self.where, self.bar, self.count_label, self.status):
            side.addWidget(w)
        side.addStretch(1)
        holder = QWidget()
        holder.setLayout(side)
        body.addWidget(holder, 2)
        root.addLayout(body, 1)
        row = QHBoxLayout()
        self.record_btn = QPushButton("● Record (Space)")
        self.record_btn.setObjectName("big")
        self.record_btn.clicked.connect(self.start)
        self.skip_btn = QPushButton("Skip this sign")
        self.skip_btn.clicked.connect(self.skip)
        self.close_btn = QPushButton("Not now")
        self.close_btn.clicked.connect(self.close)
        for b in (self.record_btn, self.skip_btn, self.close_btn):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space belongs to recording, not to a focused button
        row.addWidget(self.record_btn)
        row.addWidget(self.skip_btn)
        row.addStretch(1)
        row.addWidget(self.close_btn)
        root.addLayout(row)
        self.setMinimumSize(640, 420)

    # ------------------------------------------------------------------ recording
    def _tap(self, seconds):
        if not self.ctx.can_record():  # the source became the demo during the countdown
            return None
        return self.ctx.tap(seconds) if self.ctx.tap else None

    def start(self) -> None:
        if self.progress.done or self.countdown.busy:
            return
        if not self.ctx.can_record():
            self._say(NO_CAMERA)
            return
        self._source = self.ctx.source_title()
        self._say("")
        self.countdown.start()
        self._refresh()

    def cancel(self) -> None:
        self.countdown.cancel()
        self._say("Stopped. Press Space to record again.")
        self._refresh()

    def _failed(self, reason: str) -> None:
        self._say(NO_CAMERA if not self.ctx.can_record() else reason)
        self._refresh()

    def add_recording(self, frames, fps: float) -> None:
        from ...practice.library import NewExample
        from ...stream.clip import trim

        if not self.ctx.can_record():
            self._say(NO_CAMERA)
            return
        fr = trim(frames, fps)
        if len(fr) < 4 or not (fr[..., 3] > 0).any():
            self._say("No signing found in that recording: raise your hands into view and try again.")
            self._refresh()
            return
        step = self.progress.step
        self.pending.append(NewExample(fr, fps, self._source or "camera"))
        nxt = self.progress.next()
        if nxt is None or nxt.label != step.label:
            self._store(step, self.pending)
            self.pending = []
        else:
            self._say(f"Got it. Once more for “{step.text}”.")
        self._refresh()

    def skip(self) -> None:
        if self.progress.done:
            return
        self.countdown.cancel()
        step = self.progress.step
        if self.pending:  # one example of it was recorded: keep it rather than lose it
            self._store(step, self.pending)
            self.pending = []
        self.progress.skip_sign()
        self._say(f"Skipped “{step.text}”.")
        self._refresh()

    def _store(self, step, examples) -> None:
        from ...practice.library import pack_id
        from ...practice.personalize import store
        from ...stream.clip import embed_clip

        ctx, pack, examples = self.ctx, self.pack, list(examples)
        self.saving += 1

        def work():
            enc = ctx.encoder_for(pack)
            for ex in examples:
                ex.embedding = embed_clip(enc, pack, ex.frames, ex.fps)
            lib = ctx.library()
            try:
                return store(lib, step, examples, pack=pack_id(pack))
            finally:
                lib.close()

        def done(sign, err):
            self.saving -= 1
            if err:
                self._say(f"“{step.text}” could not be saved: {err}")
                return
            self.saved.append(step.label)
            ctx.library_changed()
            self._refresh()

        run_async(work, done, self)

    # ------------------------------------------------------------------ showing
    def _refresh(self) -> None:
        p = self.progress
        self.bar.setValue(p.index)
        busy = self.countdown.busy
        if self.pack is None:
            self.prompt.setText("No model pack is installed.")
            self.where.setText("Install a pack first: calibration adds your examples to its signs.")
        elif p.done:
            n = len(set(self.saved))
            self.prompt.setText("All done." if n else "Nothing recorded.")
            self.where.setText(f"{n} sign{'s' if n != 1 else ''} now use your own examples in live recognition."
                               + (" Saving…" if self.saving else ""))
            self.close_btn.setText("Close")
        else:
            s = p.step
            signs = list(dict.fromkeys(x.label for x in p.steps))
            self.prompt.setText(s.prompt)
            self.where.setText(f"Sign {signs.index(s.label) + 1} of {len(signs)}")
            self.close_btn.setText("Finish later" if p.index else "Not now")
        self.record_btn.setEnabled(self.pack is not None and not p.done and not busy)
        self.skip_btn.setEnabled(self.pack is not None and not p.done)
        if not self.ctx.can_record() and not busy and not p.done:
            self.view.clear("No camera")
            if not self.status.text():
                self._say(NO_CAMERA)

    def _show_live(self) -> None:
        if not self.ctx.can_record():
            if self._last_frame is not None or self.view.message != "No camera":
                self.view.clear("No camera")
                self._last_frame = None
            return
        ev = self.ctx.peek_frame() if self.ctx.peek_frame else None
        if ev is not None and ev.frame is not self._last_frame:
            self._last_frame = ev.frame
            self.view.set_frame(ev.frame)

    def _say(self, text: str) -> None:
        self.status.setText(text)

    # ------------------------------------------------------------------ keys and lifetime
    def keyPressEvent(self, ev) -> None:
        if ev.key() == Qt.Key.Key_Space and not ev.isAutoRepeat():
            self.start()
        elif ev.key() == Qt.Key.Key_Escape:
            if self.countdown.busy:
                self.cancel()
            else:
                self.close()
        else:
            super().keyPressEvent(ev)

    def showEvent(self, ev) -> None:
        super().showEvent(ev)
        self._live.start(33)

    def closeEvent(self, ev) -> None:
        self.countdown.cancel()
        self._live.stop()
        super().closeEvent(ev)


def open_calibrate_me(win) -> CalibrateMe | None:
    """Show the flow over ``win`` (one at a time; a menu item calls this). None without practice pages."""
    ctx = getattr(win, "practice_context", None)
    if ctx is None:
        return None
    import shiboken6

    dlg = getattr(win, "calibrate_dialog", None)
    if dlg is None or not shiboken6.isValid(dlg) or not dlg.isVisible():
        dlg = CalibrateMe(ctx, win)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # a closed flow starts afresh next time
        win.calibrate_dialog = dlg
        w, h = win.width(), win.height()
        dlg.resize(min(1200, max(640, int(w * 0.8))), min(800, max(420, int(h * 0.8))))
    dlg.show()
    dlg.raise_()
    dlg.activateWindow()
    return dlg


def offer_once(win) -> CalibrateMe | None:
    """Open the flow if it was never offered to this user (and remember that it was)."""
    settings = getattr(win, "settings", None)
    if settings is None or getattr(settings, "calibration_offered", True):
        return None
    settings.calibration_offered = True
    if hasattr(win, "save_settings"):
        win.save_settings()
    return open_calibrate_me(win)
