"""The Live page's building blocks: video + skeleton view, banners (the guesses panel is in ``guesses.py``)."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import (QComboBox, QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout,
                               QWidget)

from . import skeleton as S
from . import theme
from ..keypoints import layout as L
from ..languages import code_for, full_name, short_name


def fit_rect(outer: QRectF, aspect: float) -> QRectF:
    """The largest rect of ``aspect`` (w/h) centred in ``outer``."""
    w, h = outer.width(), outer.height()
    if w <= 0 or h <= 0 or aspect <= 0:
        return QRectF(outer)
    if w / h > aspect:
        tw, th = h * aspect, h
    else:
        tw, th = w, w / aspect
    return QRectF(outer.x() + (w - tw) / 2, outer.y() + (h - th) / 2, tw, th)


def to_widget_points(points: np.ndarray, target: QRectF, mirror: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Layout points (x, y in 0..1 of the picture) -> widget pixel x, y and a visible mask.
    Mirroring flips x (the picture is flipped the same way), so hands keep their colours."""
    x = points[:, 0].astype(np.float64)
    if mirror:
        x = 1.0 - x
    px = target.x() + x * target.width()
    py = target.y() + points[:, 1].astype(np.float64) * target.height()
    return px, py, points[:, 3] > 0


class VideoView(QWidget):
    """Draws the newest frame (mirrored for a camera) and the Holistic skeleton over it."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMinimumSize(480, 360)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.frame = None
        self._qimg: QImage | None = None
        self._img_ref = None
        self._prescaled = False
        self.show_face = True
        self.show_legend = True  # off for a single-hand picture (the practice pages' target handshape)
        self.message = "Starting…"
        self.frames_drawn = 0
        self.on_box_changed = None  # called with (w, h) of the drawing area when it changes

    MARGIN = 4
    # The legend goes in a strip above the picture where the picture leaves room for it (letterboxed)
    # or the view is small (the practice pages): drawn over the picture, it hid a hand at the forehead.
    COMPACT_BELOW = 360
    LEGEND_PAD, LEGEND_DOT = 8, 12

    def _legend_font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSize(theme.pt(0))
        font.setBold(True)
        return font

    def legend_strip(self, aspect: float | None = None) -> int:
        """Height (px) kept above the picture for the legend; 0 where it is drawn over the picture."""
        if not self.show_legend:
            return 0
        strip = QFontMetrics(self._legend_font()).height() + 2 * self.LEGEND_PAD + self.MARGIN
        if self.height() < self.COMPACT_BELOW:
            return strip
        if aspect:
            m = self.MARGIN
            full = fit_rect(QRectF(self.rect()).adjusted(m, m, -m, -m), aspect)
            if self.height() - 2 * m - full.height() >= strip:  # room: the picture keeps its size
                return strip
        return 0

    def picture_rect(self, aspect: float) -> QRectF:
        m = self.MARGIN
        return fit_rect(QRectF(self.rect()).adjusted(m, m + self.legend_strip(aspect), -m, -m), aspect)

    def drawing_box(self) -> tuple[int, int]:
        # (a letterboxed picture keeps its size with the strip: only a small view gives up the height)
        return (max(0, self.width() - 2 * self.MARGIN),
                max(0, self.height() - 2 * self.MARGIN - self.legend_strip()))

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        if self.on_box_changed is not None:
            self.on_box_changed(self.drawing_box())

    def set_frame(self, frame) -> None:
        self.frame = frame
        img = frame.image if frame is not None else None
        self._prescaled = False
        if frame is not None and frame.view_image is not None:
            img, self._prescaled = frame.view_image, True  # scaled (and mirrored) by the worker
        if img is not None:
            img = np.ascontiguousarray(img)
            h, w = img.shape[:2]
            self._img_ref = img  # QImage does not copy: keep the buffer alive
            fmt = QImage.Format.Format_RGB32 if img.ndim == 3 and img.shape[2] == 4 else QImage.Format.Format_BGR888
            self._qimg = QImage(img.data, w, h, int(img.strides[0]), fmt)
        else:
            self._qimg, self._img_ref = None, None
        self.message = ""
        self.update()

    def clear(self, message: str = "") -> None:
        self.frame, self._qimg, self._img_ref, self._prescaled = None, None, None, False
        self.message = message
        self.update()

    # -- painting
    def paintEvent(self, _ev) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(theme.BG))
        f = self.frame
        if f is None:
            self._paint_message(p, self.message)
            p.end()
            return
        target = self.picture_rect(f.aspect)
        q = self._qimg
        if q is not None and self._prescaled and abs(q.width() - target.width()) <= 1.5 \
                and abs(q.height() - target.height()) <= 1.5:
            target = QRectF(target.x(), target.y(), q.width(), q.height())
            p.drawImage(target.topLeft(), q)  # 1:1 copy, already mirrored
        elif q is not None and self._prescaled:  # the view was resized since: scale the prepared picture
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            p.drawImage(target, q)
        elif q is not None:
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            if f.mirror:
                p.save()
                p.translate(target.x() + target.width(), target.y())
                p.scale(-1.0, 1.0)
                p.drawImage(QRectF(0, 0, target.width(), target.height()), self._qimg)
                p.restore()
            else:
                p.drawImage(target, self._qimg)
        else:
            p.fillRect(target, QColor(theme.CANVAS))
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setClipRect(target)  # points outside the picture (a hand leaving it) stay inside the video
        self._paint_skeleton(p, f.points, target, f.mirror)
        p.setClipping(False)
        if self.show_legend:
            self._paint_legend(p, target, f)
        self.frames_drawn += 1
        p.end()

    def _paint_message(self, p: QPainter, text: str) -> None:
        if not text:
            return
        p.setPen(QColor(theme.TEXT_DIM))
        font = QFont(self.font())
        font.setPointSize(theme.pt(4))
        p.setFont(font)
        p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)

    _EDGE_ARRAYS: dict = {}

    @classmethod
    def _edges(cls, edges) -> tuple[np.ndarray, np.ndarray]:
        key = id(edges)
        if key not in cls._EDGE_ARRAYS:
            e = np.asarray(edges, np.int64).reshape(-1, 2)
            cls._EDGE_ARRAYS[key] = (e[:, 0], e[:, 1])
        return cls._EDGE_ARRAYS[key]

    def _lines(self, px, py, vis, edges) -> list:
        a, b = self._edges(edges)
        ok = vis[a] & vis[b]
        if not ok.any():
            return []
        a, b = a[ok], b[ok]
        return [QLineF(*c) for c in np.stack([px[a], py[a], px[b], py[b]], 1).tolist()]

    def _paint_skeleton(self, p: QPainter, points: np.ndarray, target: QRectF, mirror: bool) -> None:
        if points is None or not len(points):
            return
        px, py, vis = to_widget_points(points, target, mirror)
        scale = max(1.0, target.height() / 480.0)

        def draw(edges, colour, width, alpha=255):
            segs = self._lines(px, py, vis, edges)
            if not segs:
                return
            c = QColor(colour)
            c.setAlpha(alpha)
            pen = QPen(c, width * scale)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            p.setPen(pen)
            p.drawLines(segs)

        if self.show_face:  # thin and subtle; without antialiasing it costs half as much
            p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            draw(S.FACE_EDGES, theme.FACE, 1.0, 190)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if not vis[L.FACE.start:L.FACE.stop].any():
            self._paint_head(p, px, py, vis, scale)
        draw(S.POSE_FACE_EDGES, theme.FACE, 1.5, 200)
        # dark outline under the body and hands keeps them readable on any background
        draw(S.POSE_BODY_EDGES, "#000000", 6, 110)
        draw(S.POSE_BODY_EDGES, theme.POSE, 3.5)
        for side, comp, colour, edges in (("left", L.LEFT_HAND, theme.LEFT_HAND, S.LEFT_HAND_EDGES),
                                          ("right", L.RIGHT_HAND, theme.RIGHT_HAND, S.RIGHT_HAND_EDGES)):
            if vis[comp.start]:
                draw(edges, "#000000", 8, 120)
                draw(edges, colour, 5)
                idx = np.flatnonzero(vis[comp.start:comp.stop]) + comp.start
                joints = QPolygonF([QPointF(x, y) for x, y in zip(px[idx].tolist(), py[idx].tolist())])
                for c, d in (("#000000", 8.8), (colour, 6.4)):  # round dots with a dark rim
                    pen = QPen(QColor(c), d * scale)
                    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
                    p.setPen(pen)
                    p.drawPoints(joints)
            else:  # no hand landmarks: the pose model's own small hand, thinner, same colour
                draw(S.POSE_HAND_EDGES[side], colour, 2.5, 200)
        wrists = (L.LEFT_WRIST, L.RIGHT_WRIST)
        for w, colour in zip(wrists, (theme.LEFT_HAND, theme.RIGHT_HAND)):
            if vis[w]:
                p.setPen(QPen(QColor("#000000"), 1.0 * scale))
                p.setBrush(QColor(colour))
                p.drawEllipse(QPointF(px[w], py[w]), 4.5 * scale, 4.5 * scale)
                p.setBrush(Qt.BrushStyle.NoBrush)

    def _paint_head(self, p: QPainter, px, py, vis, scale: float) -> None:
        """No face landmarks (keypoint files without a face): a faint head outline from the pose's ears/eyes."""
        P = {n: L.POSE.start + i for i, n in enumerate(L.POSE_POINTS)}
        nose, le, re = P["NOSE"], P["LEFT_EAR"], P["RIGHT_EAR"]
        if not vis[nose]:
            return
        if vis[le] and vis[re]:
            w = abs(px[le] - px[re])
            cx, cy = (px[le] + px[re] + 2 * px[nose]) / 4, (py[le] + py[re] + 2 * py[nose]) / 4
        elif vis[P["LEFT_SHOULDER"]] and vis[P["RIGHT_SHOULDER"]]:
            w = abs(px[P["LEFT_SHOULDER"]] - px[P["RIGHT_SHOULDER"]]) * 0.45
            cx, cy = px[nose], py[nose]
        else:
            return
        if w < 4:
            return
        c = QColor(theme.FACE)
        c.setAlpha(150)
        p.setPen(QPen(c, 1.5 * scale))
        p.drawEllipse(QPointF(cx, cy - 0.1 * w), 0.62 * w, 0.8 * w)

    def _paint_legend(self, p: QPainter, target: QRectF, f) -> None:
        p.setFont(self._legend_font())
        fm = p.fontMetrics()
        pad, dot = self.LEGEND_PAD, self.LEGEND_DOT
        # a narrow view (a practice page's mirror) gets the short words rather than a clipped legend
        strip = self.legend_strip(f.aspect)
        room = self.width() - 2 * self.MARGIN if strip else target.width() - 20
        for left, right in (("Left hand", "Right hand"), ("Left", "Right"), ("L", "R")):
            items = [(left, theme.LEFT_HAND), (right, theme.RIGHT_HAND)]
            w = sum(fm.horizontalAdvance(t) + dot + 3 * pad for t, _ in items) + pad
            if w <= room:
                break
        h = fm.height() + 2 * pad
        # in a small view, in its strip above the picture; else over the picture's corner
        box = (QRectF(max(self.MARGIN, min(target.x(), self.width() - self.MARGIN - w)), target.y() - strip, w, h)
               if strip else QRectF(target.x() + 10, target.y() + 10, w, h))
        bg = QColor("#000000")
        bg.setAlpha(150)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(bg)
        p.drawRoundedRect(box, 8, 8)
        x = box.x() + pad
        for text, colour in items:
            p.setBrush(QColor(colour))
            p.drawEllipse(QRectF(x, box.center().y() - dot / 2, dot, dot))
            x += dot + pad
            p.setPen(QColor(theme.TEXT))
            p.drawText(QRectF(x, box.y(), fm.horizontalAdvance(text) + 2, box.height()),
                       Qt.AlignmentFlag.AlignVCenter, text)
            p.setPen(Qt.PenStyle.NoPen)
            x += fm.horizontalAdvance(text) + 2 * pad
        p.setBrush(Qt.BrushStyle.NoBrush)
        notes = []
        if f.caption:
            notes.append(f.caption)
        if f.note:
            notes.append(f.note)
        if f.mirror:
            notes.append("Mirrored view")
        if notes:
            text = "   ·   ".join(notes)
            tw = fm.horizontalAdvance(text) + 2 * pad
            r = QRectF(target.x() + 10, target.bottom() - h - 10, tw, h)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(bg)
            p.drawRoundedRect(r, 8, 8)
            p.setPen(QColor(theme.TEXT))
            p.drawText(r, Qt.AlignmentFlag.AlignCenter, text)
            p.setBrush(Qt.BrushStyle.NoBrush)


class Banner(QFrame):
    """A plain message with big buttons (warnings: no camera; notices: settings reset)."""

    closed = Signal()

    def __init__(self, kind: str = "banner", parent=None):
        super().__init__(parent)
        self.setObjectName(kind)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(16, 10, 12, 10)
        lay.setSpacing(10)
        self.text = QLabel("")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.text, 1)
        self._buttons_box = QHBoxLayout()
        lay.addLayout(self._buttons_box)
        self.buttons: dict[str, QPushButton] = {}
        self.hide()

    def show_message(self, text: str, buttons: list[tuple[str, object]] = (), big: bool = False) -> None:
        while self._buttons_box.count():
            w = self._buttons_box.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        self.buttons = {}
        self.text.setText(text)
        for label, cb in buttons:
            b = QPushButton(label)
            b.setObjectName("big" if big or len(self.buttons) == 0 else "")
            b.clicked.connect(cb)
            self._buttons_box.addWidget(b)
            self.buttons[label] = b
        self.show()

    def dismiss(self) -> None:
        self.hide()
        self.closed.emit()


class NoSourceScreen(QWidget):
    """Shown instead of the video when nothing can be played: says why, offers a file."""

    def __init__(self, open_file, retry_camera, show_demo, parent=None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.addStretch(1)
        self.title = QLabel("No camera found")
        f = self.title.font()
        f.setPointSize(theme.BASE_PT + 12)
        f.setBold(True)
        self.title.setFont(f)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail = QLabel("")
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail.setObjectName("dim")
        lay.addWidget(self.title)
        lay.addWidget(self.detail)
        row = QHBoxLayout()
        row.addStretch(1)
        self.open_button = QPushButton("Open a file")
        self.open_button.setObjectName("big")
        self.open_button.setMinimumHeight(64)
        self.open_button.clicked.connect(open_file)
        self.retry_button = QPushButton("Retry camera")
        self.retry_button.setMinimumHeight(64)
        self.retry_button.clicked.connect(retry_camera)
        self.demo_button = QPushButton("Show the demo")
        self.demo_button.setMinimumHeight(64)
        self.demo_button.clicked.connect(show_demo)
        for b in (self.open_button, self.retry_button, self.demo_button):
            row.addWidget(b)
        row.addStretch(1)
        lay.addSpacing(16)
        lay.addLayout(row)
        lay.addStretch(2)

    def set_text(self, title: str, detail: str) -> None:
        self.title.setText(title)
        self.detail.setText(detail)


# kept importable from here (older code and tests import them from widgets)
from .guesses import ConfidenceBar, TopKPanel  # noqa: E402,F401


class LanguageBox(QComboBox):
    """A sign-language chooser that shows names ("American"; "American Sign Language (ase)" as
    the tooltip) and keeps codes ("ase", the item data); the user may type a name or any code. ``code()`` is
    what a library stores."""

    def __init__(self, codes, parent=None):
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        # the longest name must not squeeze the form's labels: the box takes the width it is given
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(10)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.currentIndexChanged.connect(lambda _i: self.lineEdit().setCursorPosition(0))  # show a name's start
        for c in codes:
            self.add_code(c)
        self.setToolTip("The sign language of this sign: pick one or type its name or ISO 639-3 code")

    def add_code(self, code: str) -> int:
        i = self.findData(code)
        if i < 0:
            self.addItem(short_name(code), code)  # "American": fits a narrow form at 1024 px
            i = self.count() - 1
            self.setItemData(i, f"{full_name(code)} (language code {code})", Qt.ItemDataRole.ToolTipRole)
        return i

    def set_code(self, code: str) -> None:
        self.setCurrentIndex(self.add_code(code))

    def code(self) -> str | None:
        """The chosen language's code; None when the typed text names no language."""
        text = self.currentText().strip()
        i = self.currentIndex()
        if i >= 0 and text == self.itemText(i):
            return self.itemData(i)
        return code_for(text)
