"""The audio mixer: one strip per audio input (fader, dB value, mute, solo, meter) and a master
strip with the program meter and loudness.

The strips only show and ask; the panel is the one place that calls the engine. Meters are fed by
the main window's ~30 Hz timer (update_levels) from the bridge's LevelAccumulator, and painted
with QPainter in a few rectangles each, so a dozen strips cost next to nothing and stay crisp on
any screen scale.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from studio.engine.audio.meters import SILENCE_DB
from studio.engine.audio.mixer import AudioLevels
from studio.engine.engine import Engine
from studio.engine.errors import InputError

# -- scales ------------------------------------------------------------------------------------

FADER_MIN_DB = -60.0  # lowest labelled fader position; one step below it is "-inf"
FADER_MAX_DB = 12.0
FADER_STEPS_PER_DB = 2  # 0.5 dB steps
GAIN_OFF_DB = -96.0  # the engine's minimum gain: what "-inf" means
GAIN_MAX_DB = 24.0  # the engine's maximum; typed values may exceed the fader's range

METER_MIN_DB = -60.0
METER_MAX_DB = 0.0
GREEN_TOP_DB = -18.0
YELLOW_TOP_DB = -6.0
METER_SCALE_MARKS_DB = (0, -6, -12, -18, -24, -30, -40, -50, -60)
CLIP_THRESHOLD_DB = -0.1  # a sample this close to full scale has almost surely clipped downstream

PEAK_HOLD_S = 1.5
PEAK_HOLD_FALL_DB_PER_S = 20.0
# The bar rises at once and falls at a readable rate (like a PPM), so a meter fed at ~30 Hz does
# not flicker and a skipped GUI frame costs a dip of under 1 dB, not a drop to silence.
BAR_FALL_DB_PER_S = 24.0

LOUDNESS_FLOOR_LUFS = -70.0  # EBU R 128's absolute gate: anything below reads as "-inf"

STRIP_WIDTH_PX = 80
MASTER_STRIP_WIDTH_PX = 92

# Meter colours are the same on any theme: a meter is always a dark track with lit segments.
METER_TRACK = QColor(22, 22, 24)
ZONE_GREEN = QColor(60, 200, 80)
ZONE_YELLOW = QColor(235, 200, 40)
ZONE_RED = QColor(235, 50, 45)
CLIP_LIT = QColor(255, 40, 40)
CLIP_DARK = QColor(70, 28, 28)
MUTE_ON = QColor(200, 40, 40)
SOLO_ON = QColor(230, 190, 30)


def zone_colour(level_db: float) -> QColor:
    if level_db > YELLOW_TOP_DB:
        return ZONE_RED
    if level_db > GREEN_TOP_DB:
        return ZONE_YELLOW
    return ZONE_GREEN


# -- meter logic ---------------------------------------------------------------------------------


class FallingPeak:
    """A level that jumps up to any higher reading, stays there hold_s, then falls at
    fall_db_per_s until a reading catches it. With hold_s=0 it is a bar's release; with 1.5 s,
    the peak-hold tick."""

    def __init__(self, hold_s: float, fall_db_per_s: float) -> None:
        self.hold_s = hold_s
        self.fall_db_per_s = fall_db_per_s
        self.reset()

    def reset(self) -> None:
        self._top_db = SILENCE_DB
        self._top_at_s = -math.inf

    def update(self, reading_db: float, now_s: float) -> float:
        """The level to show now, given this reading; returns it."""
        current_db = self.level_db(now_s)
        if reading_db >= current_db:
            self._top_db, self._top_at_s = reading_db, now_s
            return reading_db
        return current_db

    def level_db(self, now_s: float) -> float:
        falling_for_s = max(0.0, now_s - self._top_at_s - self.hold_s)
        if math.isinf(falling_for_s):
            return SILENCE_DB
        return max(SILENCE_DB, self._top_db - falling_for_s * self.fall_db_per_s)


# -- meter widgets --------------------------------------------------------------------------------


class LevelBar(QWidget):
    """A vertical -60..0 dBFS bar: RMS solid, peak as a dimmer extension above it, the held
    peak as a thin tick; optional scale numbers on the right. Paints a few rectangles only."""

    BAR_WIDTH_PX = 12
    SCALE_WIDTH_PX = 18

    def __init__(self, parent: QWidget | None = None, *, show_scale: bool = True) -> None:
        super().__init__(parent)
        self.show_scale = show_scale
        self.peak_db = SILENCE_DB
        self.rms_db = SILENCE_DB
        self.peak_hold_db = SILENCE_DB
        self._shown: tuple[int, int, int] | None = None
        self.setMinimumHeight(60)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        scale_font = QFont(self.font())
        scale_font.setPointSizeF(max(7.0, self.font().pointSizeF() * 0.75))
        self._scale_font = scale_font

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(self._width_px(), 160)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(self._width_px(), 60)

    def _width_px(self) -> int:
        return self.BAR_WIDTH_PX + (self.SCALE_WIDTH_PX + 2 if self.show_scale else 0)

    def set_levels(self, peak_db: float, rms_db: float, peak_hold_db: float) -> None:
        self.peak_db, self.rms_db, self.peak_hold_db = peak_db, rms_db, peak_hold_db
        # Repaint only when something moved by a visible amount (a tenth of a dB is far below a pixel).
        shown = (round(peak_db * 10), round(rms_db * 10), round(peak_hold_db * 10))
        if shown != self._shown:
            self._shown = shown
            self.update()

    def _bar_rect(self) -> QRectF:
        return QRectF(0, 0, self.BAR_WIDTH_PX, self.height())

    def _y_for_db(self, level_db: float, bar: QRectF) -> float:
        fraction = (min(max(level_db, METER_MIN_DB), METER_MAX_DB) - METER_MIN_DB) / (METER_MAX_DB - METER_MIN_DB)
        return bar.bottom() - fraction * bar.height()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        bar = self._bar_rect()
        painter.fillRect(bar, METER_TRACK)
        self._paint_zones(painter, bar, self.peak_db, alpha=110)
        self._paint_zones(painter, bar, self.rms_db, alpha=255)
        if self.peak_hold_db > METER_MIN_DB:
            y = self._y_for_db(self.peak_hold_db, bar)
            painter.fillRect(QRectF(bar.left(), max(bar.top(), y - 1), bar.width(), 2), zone_colour(self.peak_hold_db))
        if self.show_scale:
            self._paint_scale(painter, bar)

    def _paint_zones(self, painter: QPainter, bar: QRectF, level_db: float, *, alpha: int) -> None:
        if level_db <= METER_MIN_DB:
            return
        for low_db, high_db, colour in (
            (METER_MIN_DB, GREEN_TOP_DB, ZONE_GREEN),
            (GREEN_TOP_DB, YELLOW_TOP_DB, ZONE_YELLOW),
            (YELLOW_TOP_DB, METER_MAX_DB, ZONE_RED),
        ):
            if level_db <= low_db:
                break
            top = self._y_for_db(min(level_db, high_db), bar)
            bottom = self._y_for_db(low_db, bar)
            shade = QColor(colour)
            shade.setAlpha(alpha)
            painter.fillRect(QRectF(bar.left(), top, bar.width(), bottom - top), shade)

    def _paint_scale(self, painter: QPainter, bar: QRectF) -> None:
        painter.setFont(self._scale_font)
        metrics = painter.fontMetrics()
        text_height = metrics.height()
        tick_colour = self.palette().color(QPalette.ColorRole.WindowText)
        painter.setPen(QPen(tick_colour, 1))
        left = bar.right() + 2
        last_label_bottom = -math.inf
        for mark_db in METER_SCALE_MARKS_DB:
            y = self._y_for_db(mark_db, bar)
            top = min(max(0.0, y - text_height / 2), self.height() - text_height)
            # A short meter keeps fewer numbers (none may touch the one above); the marks it
            # drops become ticks. Numbers without the minus sign, as on a desk's meter bridge:
            # a tick right before a number would read as one anyway.
            if top < last_label_bottom:
                painter.drawLine(QPointF(left, y), QPointF(left + 3, y))
                continue
            label = QRectF(left, top, self.SCALE_WIDTH_PX, text_height)
            painter.drawText(label, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, str(abs(mark_db)))
            last_label_bottom = top + text_height


class ClipIndicator(QWidget):
    """Lights when a peak reached full scale and stays lit until clicked, so an operator who
    looked away still learns that something clipped."""

    cleared = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.is_lit = False
        self.setFixedHeight(8)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(self.tr("Clip: lights when a peak reaches 0 dBFS. Click to reset."))

    def light(self) -> None:
        if not self.is_lit:
            self.is_lit = True
            self.update()

    def clear(self) -> None:
        if self.is_lit:
            self.is_lit = False
            self.update()
            self.cleared.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self.clear()
        event.accept()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), CLIP_LIT if self.is_lit else CLIP_DARK)


class LevelMeter(QWidget):
    """A meter with its ballistics: the clip indicator over the bar. Fed raw readings (the
    highest peak and the latest RMS since the last feed); decides what the bar shows."""

    def __init__(self, parent: QWidget | None = None, *, show_scale: bool = True) -> None:
        super().__init__(parent)
        self.clip_indicator = ClipIndicator(self)
        self.bar = LevelBar(self, show_scale=show_scale)
        self._peak = FallingPeak(0.0, BAR_FALL_DB_PER_S)
        self._rms = FallingPeak(0.0, BAR_FALL_DB_PER_S)
        self._peak_hold = FallingPeak(PEAK_HOLD_S, PEAK_HOLD_FALL_DB_PER_S)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        # The indicator spans only the bar, so it reads as the bar's own top.
        layout.addWidget(self.clip_indicator)
        layout.addWidget(self.bar, 1)
        self.clip_indicator.setFixedWidth(LevelBar.BAR_WIDTH_PX)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)

    @property
    def peak_db(self) -> float:
        """What the bar shows now (dBFS)."""
        return self.bar.peak_db

    @property
    def rms_db(self) -> float:
        return self.bar.rms_db

    @property
    def peak_hold_db(self) -> float:
        return self.bar.peak_hold_db

    def feed(self, peak_db: float, rms_db: float, now_s: float) -> None:
        if peak_db >= CLIP_THRESHOLD_DB:
            self.clip_indicator.light()
        self.bar.set_levels(
            self._peak.update(peak_db, now_s), self._rms.update(rms_db, now_s), self._peak_hold.update(peak_db, now_s)
        )

    def reset(self) -> None:
        for level in (self._peak, self._rms, self._peak_hold):
            level.reset()
        self.clip_indicator.clear()
        self.bar.set_levels(SILENCE_DB, SILENCE_DB, SILENCE_DB)


# -- controls --------------------------------------------------------------------------------------


class GainFader(QSlider):
    """A vertical fader in 0.5 dB steps from -60 to +12 dB, plus one step below for -inf (the
    engine's -96 dB). Double-click puts it back to 0 dB."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self._off_value = round(FADER_MIN_DB * FADER_STEPS_PER_DB) - 1
        self.setRange(self._off_value, round(FADER_MAX_DB * FADER_STEPS_PER_DB))
        self.setSingleStep(1)
        self.setPageStep(6 * FADER_STEPS_PER_DB)
        self.setTickPosition(QSlider.TickPosition.TicksLeft)
        self.setTickInterval(6 * FADER_STEPS_PER_DB)
        self.setValue(0)
        self.setToolTip(self.tr("Gain. Double-click: 0 dB."))

    def value_for_db(self, gain_db: float) -> int:
        if gain_db < FADER_MIN_DB:
            return self._off_value
        return round(min(gain_db, FADER_MAX_DB) * FADER_STEPS_PER_DB)

    def db_for_value(self, value: int) -> float:
        return GAIN_OFF_DB if value <= self._off_value else value / FADER_STEPS_PER_DB

    def gain_db(self) -> float:
        return self.db_for_value(self.value())

    def set_gain_db(self, gain_db: float) -> None:
        self.setValue(self.value_for_db(gain_db))

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self.set_gain_db(0.0)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)


class GainSpinBox(QDoubleSpinBox):
    """The gain as a number that can be typed: the engine's whole range (-96..+24 dB), so a value
    beyond the fader's travel can still be set; -96 reads "-inf"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(GAIN_OFF_DB, GAIN_MAX_DB)
        self.setDecimals(1)
        self.setSingleStep(1.0 / FADER_STEPS_PER_DB)
        self.setSpecialValueText(self.tr("-inf"))
        self.setSuffix(self.tr(" dB"))
        # The strip is narrow: no arrows (the wheel and arrow keys still step).
        self.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Send a typed value on Enter or when leaving the box, not at every keystroke.
        self.setKeyboardTracking(False)
        self.setToolTip(self.tr("Gain in dB; type a value and press Enter."))


class ToggleButton(QPushButton):
    """A checkable button that turns a given colour while checked (mute red, solo yellow).

    A style sheet rather than the palette: native styles (macOS, Windows) ignore a palette's
    button colour. Only the checked state gets a background; unchecked keeps the theme's look.
    The small padding overrides the app's wide button padding, so two fit side by side."""

    def __init__(self, text: str, on_colour: QColor, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setCheckable(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        text_colour = "black" if on_colour.lightnessF() > 0.5 else "white"
        self.setStyleSheet(
            "QPushButton { padding: 3px 2px; }"
            f"QPushButton:checked {{ background: {on_colour.name()}; color: {text_colour};"
            f" border: 1px solid {on_colour.darker(150).name()}; border-radius: 3px; font-weight: bold; }}"
        )

    def set_checked_quietly(self, checked: bool) -> None:
        """Show a state that came from elsewhere without asking for it again."""
        self.blockSignals(True)
        self.setChecked(checked)
        self.blockSignals(False)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        # Two of these share a narrow strip: the text's width is enough.
        return QSize(self.fontMetrics().horizontalAdvance(self.text()) + 6, super().minimumSizeHint().height())


class ElidedLabel(QLabel):
    """One line that ends in "…" when it does not fit; the whole text is in the tooltip."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full_text = text
        self.setToolTip(text)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._elide()

    def full_text(self) -> str:
        return self._full_text

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width_px = max(1, self.width())
        super().setText(self.fontMetrics().elidedText(self._full_text, Qt.TextElideMode.ElideRight, width_px))


# -- strips ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StripSettings:
    """What a strip controls, as last accepted by the engine."""

    gain_db: float
    muted: bool
    solo: bool


class InputStrip(QFrame):
    """One audio input: name, meter, fader, dB value, Mute and Solo. It shows states and emits
    `settings_requested` when the user changes one; it never calls the engine itself."""

    settings_requested = Signal()

    def __init__(self, input_id: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.input_id = input_id
        # Exact, as the engine has it: the number box rounds to 0.1 dB and the fader to its
        # travel, and a mute must not nudge a gain of -7.25 dB from the show file to -7.3.
        self._gain_db = 0.0
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFixedWidth(STRIP_WIDTH_PX)
        self.name_label = ElidedLabel(name, self)
        self.meter = LevelMeter(self)
        self.fader = GainFader(self)
        self.gain_spin = GainSpinBox(self)
        self.mute_button = ToggleButton(self.tr("Mute"), MUTE_ON, self)
        self.mute_button.setToolTip(self.tr("Mute: take this input out of program"))
        self.solo_button = ToggleButton(self.tr("Solo"), SOLO_ON, self)
        self.solo_button.setToolTip(self.tr("Solo: hear only soloed inputs in the headphones (program is unchanged)"))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(3, 3, 3, 3)
        layout.setSpacing(3)
        layout.addWidget(self.name_label)
        levels = QHBoxLayout()
        levels.setSpacing(2)
        levels.addWidget(self.meter)
        levels.addWidget(self.fader)
        layout.addLayout(levels, 1)
        layout.addWidget(self.gain_spin)
        buttons = QHBoxLayout()
        buttons.setSpacing(2)
        buttons.addWidget(self.mute_button)
        buttons.addWidget(self.solo_button)
        layout.addLayout(buttons)

        self.fader.valueChanged.connect(self._on_fader_moved)
        self.gain_spin.valueChanged.connect(self._on_gain_typed)
        self.mute_button.toggled.connect(lambda _checked: self.settings_requested.emit())
        self.solo_button.toggled.connect(lambda _checked: self.settings_requested.emit())

    @property
    def name(self) -> str:
        return self.name_label.full_text()

    def gain_db(self) -> float:
        return self._gain_db

    def is_muted(self) -> bool:
        return self.mute_button.isChecked()

    def is_solo(self) -> bool:
        return self.solo_button.isChecked()

    def settings(self) -> StripSettings:
        return StripSettings(self.gain_db(), self.is_muted(), self.is_solo())

    def show_settings(self, settings: StripSettings) -> None:
        """Show settings that came from the engine (or a revert) without requesting them again."""
        self._show_gain_db(settings.gain_db)
        self.mute_button.set_checked_quietly(settings.muted)
        self.solo_button.set_checked_quietly(settings.solo)

    def _show_gain_db(self, gain_db: float) -> None:
        self._gain_db = gain_db
        for widget in (self.fader, self.gain_spin):
            widget.blockSignals(True)
        self.fader.set_gain_db(gain_db)
        self.gain_spin.setValue(gain_db)
        for widget in (self.fader, self.gain_spin):
            widget.blockSignals(False)

    def _on_fader_moved(self, value: int) -> None:
        self._gain_db = self.fader.db_for_value(value)
        self.gain_spin.blockSignals(True)
        self.gain_spin.setValue(self._gain_db)
        self.gain_spin.blockSignals(False)
        self.settings_requested.emit()

    def _on_gain_typed(self, gain_db: float) -> None:
        self._gain_db = gain_db
        self.fader.blockSignals(True)
        self.fader.set_gain_db(gain_db)
        self.fader.blockSignals(False)
        self.settings_requested.emit()


class MasterStrip(QFrame):
    """Program: its peak/RMS meter (after the master limiter) and its loudness."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.name_label = ElidedLabel(self.tr("Program"), self)
        bold = QFont(self.name_label.font())
        bold.setBold(True)
        self.name_label.setFont(bold)
        self.meter = LevelMeter(self)
        self.momentary_label = QLabel(self)
        self.short_term_label = QLabel(self)
        for label in (self.momentary_label, self.short_term_label):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.momentary_label.setToolTip(self.tr("Momentary loudness (last 400 ms)"))
        self.short_term_label.setToolTip(self.tr("Short-term loudness (last 3 s)"))
        # Wide enough for the longest reading in this language ("瞬时 -88.8 LUFS" is wider than "M ...").
        widest_px = max(
            self.fontMetrics().horizontalAdvance(text.format(value="-88.8"))
            for text in (self.tr("M {value} LUFS"), self.tr("S {value} LUFS"))
        )
        self.setFixedWidth(max(MASTER_STRIP_WIDTH_PX, widest_px + 14))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(3, 3, 3, 3)
        layout.setSpacing(3)
        layout.addWidget(self.name_label)
        layout.addWidget(self.meter, 1, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.momentary_label)
        layout.addWidget(self.short_term_label)
        self.show_loudness(None, None)

    def loudness_text(self) -> str:
        return f"{self.momentary_label.text()} / {self.short_term_label.text()}"

    def show_loudness(self, momentary_lufs: float | None, short_term_lufs: float | None) -> None:
        """None (no engine) shows a dash."""
        self.momentary_label.setText(self.tr("M {value} LUFS").format(value=self._lufs_text(momentary_lufs)))
        self.short_term_label.setText(self.tr("S {value} LUFS").format(value=self._lufs_text(short_term_lufs)))

    def _lufs_text(self, lufs: float | None) -> str:
        if lufs is None:
            return "—"
        if lufs <= LOUDNESS_FLOOR_LUFS:
            return self.tr("-inf")
        return f"{lufs:.1f}"


# -- the panel -------------------------------------------------------------------------------------


class MixerPanel(QWidget):
    """All input strips (scrolling sideways when there are many) and the master strip.

    `changed` fires whenever the user changed a gain, mute or solo (the show is now unsaved);
    `error(str)` carries a refused change for the status bar (the strip shows the old value again).
    """

    changed = Signal()
    error = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, clock_s: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parent)
        self._clock_s = clock_s  # injectable so tests can step the meters' hold and fall
        self._engine: Engine | None = None
        self._strips: dict[str, InputStrip] = {}
        self._accepted: dict[str, StripSettings] = {}
        self._previous_levels: AudioLevels | None = None

        self._strip_row = QHBoxLayout()
        self._strip_row.setContentsMargins(0, 0, 0, 0)
        self._strip_row.setSpacing(4)
        self._strip_row.addStretch(1)
        strips_widget = QWidget()
        strips_widget.setLayout(self._strip_row)
        self._scroll = QScrollArea(self)
        self._scroll.setWidget(strips_widget)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._empty_label = QLabel(self.tr("No audio inputs"), strips_widget)
        self._empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty_label.setEnabled(False)
        self._strip_row.insertWidget(0, self._empty_label, 1)
        self.master = MasterStrip(self)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self._scroll, 1)
        layout.addWidget(self.master)

    # -- building ----------------------------------------------------------------------------

    def set_engine(self, engine: Engine | None) -> None:
        """One strip per input of this engine's show, showing its current settings; None clears."""
        for strip in self._strips.values():
            self._strip_row.removeWidget(strip)
            strip.deleteLater()
        self._strips.clear()
        self._accepted.clear()
        self._previous_levels = None
        self.master.meter.reset()
        self.master.show_loudness(None, None)
        self._engine = engine
        if engine is not None:
            for input_spec in engine.show.audio_inputs:
                current = engine.audio_input(input_spec.id)
                self._add_strip(current.id, current.name, StripSettings(current.gain_db, current.muted, current.solo))
            self.master.show_loudness(SILENCE_DB, SILENCE_DB)
        self._empty_label.setVisible(not self._strips)

    def _add_strip(self, input_id: str, name: str, settings: StripSettings) -> None:
        strip = InputStrip(input_id, name)
        strip.show_settings(settings)
        strip.settings_requested.connect(lambda strip=strip: self._send(strip))
        self._strips[input_id] = strip
        self._accepted[input_id] = settings
        self._strip_row.insertWidget(self._strip_row.count() - 1, strip)  # before the stretch

    def strip(self, input_id: str) -> InputStrip:
        return self._strips[input_id]

    @property
    def strips(self) -> list[InputStrip]:
        return list(self._strips.values())

    # -- user changes --------------------------------------------------------------------------

    def _send(self, strip: InputStrip) -> None:
        if self._engine is None:
            return
        wanted = strip.settings()
        if wanted == self._accepted[strip.input_id]:
            return
        try:
            # All three together: the engine builds each update from the settings it last
            # applied, so two single-field updates within one tick would undo each other.
            self._engine.update_audio_input(
                strip.input_id, gain_db=wanted.gain_db, muted=wanted.muted, solo=wanted.solo
            )
        except (InputError, RuntimeError) as error:
            strip.show_settings(self._accepted[strip.input_id])
            self.error.emit(self.tr("{input}: {error}").format(input=strip.name, error=error))
            return
        self._accepted[strip.input_id] = wanted
        self.changed.emit()

    def set_input_muted_from_outside(self, input_id: str, muted: bool) -> None:
        """Mute was changed elsewhere (a hotkey) and already sent: show it, do not send it again."""
        strip = self._strips.get(input_id)
        if strip is None:
            return
        accepted = self._accepted[input_id]
        self._accepted[input_id] = StripSettings(accepted.gain_db, muted, accepted.solo)
        strip.mute_button.set_checked_quietly(muted)

    # -- meters ----------------------------------------------------------------------------------

    def update_levels(
        self, latest: AudioLevels | None, max_peaks_by_input_id: dict[str, float], max_program_peak_db: float
    ) -> None:
        """Feed the meters: the highest peaks since the last call (no one-tick clip is missed) and
        the newest levels for RMS and loudness. Called from the GUI timer."""
        now_s = self._clock_s()
        # The bridge hands back the same object until a new tick arrives: then RMS has no news and
        # is fed silence, so a stopped engine's meters fall away instead of freezing.
        fresh = latest if latest is not None and latest is not self._previous_levels else None
        self._previous_levels = latest
        fresh_inputs = {item.input_id: item for item in fresh.inputs} if fresh else {}
        for input_id, strip in self._strips.items():
            peak_db = max_peaks_by_input_id.get(input_id, SILENCE_DB)
            rms_db = SILENCE_DB
            item = fresh_inputs.get(input_id)
            if item is not None:
                peak_db = max(peak_db, item.peak_db)
                rms_db = item.rms_db
            strip.meter.feed(peak_db, rms_db, now_s)
        program_peak_db = max_program_peak_db
        program_rms_db = SILENCE_DB
        if fresh is not None:
            program_peak_db = max(program_peak_db, fresh.program_peak_db)
            program_rms_db = fresh.program_rms_db
            self.master.show_loudness(fresh.momentary_lufs, fresh.short_term_lufs)
        self.master.meter.feed(program_peak_db, program_rms_db, now_s)
