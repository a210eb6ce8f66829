"""The SRT part of a destination in Settings: latency, overhead bandwidth, a bandwidth cap, FEC,
AES encryption and caller or listener. Shown only while the destination's URL is srt://.

The group edits a plain dict (SrtSettings' fields, the passphrase as text) that the settings
dialog keeps per destination; defaults and ranges come from the SrtSettings model, so they follow
it. The passphrase is masked until Show is pressed and never quoted in a message.
"""

from __future__ import annotations

from typing import Any, get_args

from annotated_types import Ge, Le
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from studio.engine.outputs.srt_sender import MIN_DEFAULT_LATENCY_MS
from studio.engine.destination_settings import SrtMode, SrtSettings

# libsrt's passphrase limits (SRTO_PASSPHRASE): shorter or longer is refused by the handshake.
PASSPHRASE_MIN_CHARS = 10
PASSPHRASE_MAX_CHARS = 79
# Where stepping up from "Auto" lands: the floor the automatic latency keeps anyway, because a
# bare 20 ms leaves no time for a single retransmission on most links.
LATENCY_FIRST_STEP_MS = MIN_DEFAULT_LATENCY_MS  # stepping up from Auto starts at Auto's floor
MAX_BANDWIDTH_FIRST_STEP_KBPS = 1000
OVERHEAD_FIRST_STEP_PERCENT = 25  # libsrt's own default
MAX_BANDWIDTH_HIGHEST_KBPS = 1_000_000
CUSTOM_FEC = "custom"


def _bounds(field: str, highest: int) -> tuple[int, int]:
    """The model's own range for a numeric field (ge/le), `highest` when it has no upper bound."""
    low, high = 0, highest
    for rule in SrtSettings.model_fields[field].metadata:
        if isinstance(rule, Ge):
            low = int(rule.ge)  # type: ignore[arg-type]
        elif isinstance(rule, Le):
            high = int(rule.le)  # type: ignore[arg-type]
    return low, high


def srt_entry(settings: SrtSettings) -> dict[str, Any]:
    """What the dialog keeps for a destination: the settings with the passphrase as text."""
    entry = settings.model_dump()
    entry["passphrase"] = settings.passphrase.get_secret_value()
    entry["mode"] = settings.mode.value
    return entry


class AutoSpinBox(QSpinBox):
    """A number or Auto (None). Auto sits just below the model's lowest number, so stepping down
    from the lowest reaches it; stepping up from Auto lands on `first_step`."""

    def __init__(self, low: int, high: int, first_step: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lowest = low
        self._first_step = min(high, max(low, first_step))
        self.setRange(low - 1, high)

    def stepBy(self, steps: int) -> None:
        if steps > 0 and self.number() is None:
            self.setValue(self._first_step)
            return
        super().stepBy(steps)

    def number(self) -> int | None:
        return None if self.value() < self._lowest else self.value()

    def set_number(self, number: int | None) -> None:
        self.setValue(self.minimum() if number is None else number)


class SrtSettingsGroup(QGroupBox):
    """The SRT settings of the destination shown. `changed` fires on every edit by the user."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("SRT"), parent)
        self._loading = False
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        low, high = _bounds("latency_ms", 8000)
        self.latency_spin = AutoSpinBox(low, high, LATENCY_FIRST_STEP_MS, self)
        self.latency_spin.setSingleStep(10)
        self.latency_spin.setSuffix(" ms")
        self.latency_spin.setSpecialValueText(self.tr("Auto (from the measured round trip)"))
        self.latency_spin.setToolTip(
            self.tr(
                "How long the receiver waits for a lost packet to be sent again. Longer survives "
                "worse links but delays the picture by as much. Auto: a few round trips, measured "
                "when the connection starts."
            )
        )
        form.addRow(self.tr("Latency:"), self.latency_spin)

        low, high = _bounds("overhead_percent", 100)
        # No cap is the default: capping lost packets under heavy loss (the retransmissions of a
        # keyframe's burst came too late), see SrtSettings.
        self.overhead_spin = AutoSpinBox(low, high, OVERHEAD_FIRST_STEP_PERCENT, self)
        self.overhead_spin.setSuffix(" %")
        self.overhead_spin.setSpecialValueText(self.tr("No cap (best under loss)"))
        self.overhead_spin.setToolTip(
            self.tr("Caps SRT at the stream's bitrate plus this much, for retransmissions (libsrt's oheadbw).")
        )
        form.addRow(self.tr("Retransmission overhead:"), self.overhead_spin)

        low, high = _bounds("max_bandwidth_kbps", MAX_BANDWIDTH_HIGHEST_KBPS)
        self.max_bandwidth_spin = AutoSpinBox(low, high, MAX_BANDWIDTH_FIRST_STEP_KBPS, self)
        self.max_bandwidth_spin.setSingleStep(500)
        self.max_bandwidth_spin.setSuffix(" kbps")
        self.max_bandwidth_spin.setSpecialValueText(self.tr("Auto (the overhead's cap, or none)"))
        self.max_bandwidth_spin.setToolTip(
            self.tr("A hard cap on what SRT sends, retransmissions included (libsrt's maxbw).")
        )
        form.addRow(self.tr("Maximum bandwidth:"), self.max_bandwidth_spin)

        self.fec_combo = QComboBox(self)
        # libsrt's built-in filter: cols = packets per row group, rows = packets per column group;
        # each group costs one extra packet, so 10x5 costs 1/10 + 1/5 = 30 %.
        self.fec_combo.addItem(self.tr("None (retransmission only)"), "")
        self.fec_combo.addItem(self.tr("Rows of 10 packets (+10 %)"), "fec,cols:10,rows:1")
        self.fec_combo.addItem(self.tr("10 x 5 matrix (+30 %)"), "fec,cols:10,rows:5")
        self.fec_combo.addItem(self.tr("10 x 5 staircase, smoother (+30 %)"), "fec,cols:10,rows:5,layout:staircase")
        self.fec_combo.addItem(self.tr("Custom..."), CUSTOM_FEC)
        self.fec_combo.setToolTip(
            self.tr(
                "Forward error correction (libsrt's packet filter): extra packets that rebuild a lost "
                "one without waiting for a retransmission. The receiver must accept FEC too."
            )
        )
        form.addRow(self.tr("Error correction (FEC):"), self.fec_combo)
        self.fec_edit = QLineEdit(self)
        self.fec_edit.setPlaceholderText(self.tr("libsrt's packet filter, e.g. fec,cols:10,rows:5,layout:staircase"))
        form.addRow("", self.fec_edit)  # its own row, shown only for Custom
        self._form = form

        passphrase_row = QHBoxLayout()
        self.passphrase_edit = QLineEdit(self)
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_edit.setPlaceholderText(
            self.tr("Empty: no encryption; else {low} to {high} characters").format(
                low=PASSPHRASE_MIN_CHARS, high=PASSPHRASE_MAX_CHARS
            )
        )
        self.show_passphrase_button = QPushButton(self.tr("Show"), self)
        self.show_passphrase_button.setCheckable(True)
        self.show_passphrase_button.toggled.connect(self._show_passphrase_toggled)
        passphrase_row.addWidget(self.passphrase_edit, 1)
        passphrase_row.addWidget(self.show_passphrase_button)
        form.addRow(self.tr("Passphrase (AES):"), passphrase_row)

        self.key_length_combo = QComboBox(self)
        for length_bytes in get_args(SrtSettings.model_fields["key_length"].annotation):
            self.key_length_combo.addItem(self.tr("{bits}-bit").format(bits=length_bytes * 8), length_bytes)
        form.addRow(self.tr("Key length:"), self.key_length_combo)

        self.mode_combo = QComboBox(self)
        # Each choice explains itself in one line (the combo's text), with more in its tooltip.
        self.mode_combo.addItem(self.tr("Caller: the studio connects to the server"), SrtMode.CALLER.value)
        self.mode_combo.setItemData(
            0,
            self.tr("For a platform's or a relay's SRT ingest: the URL names the server to connect to."),
            Qt.ItemDataRole.ToolTipRole,
        )
        self.mode_combo.addItem(self.tr("Listener: the studio waits for the receiver"), SrtMode.LISTENER.value)
        self.mode_combo.setItemData(
            1,
            self.tr("The studio waits on the URL's port (srt://0.0.0.0:port) until the receiver connects to it."),
            Qt.ItemDataRole.ToolTipRole,
        )
        form.addRow(self.tr("Mode:"), self.mode_combo)

        self.latency_spin.valueChanged.connect(self._edited)
        self.overhead_spin.valueChanged.connect(self._edited)
        self.max_bandwidth_spin.valueChanged.connect(self._edited)
        self.fec_combo.currentIndexChanged.connect(self._fec_choice_changed)
        self.fec_edit.textChanged.connect(self._edited)
        self.passphrase_edit.textChanged.connect(self._edited)
        self.key_length_combo.currentIndexChanged.connect(self._edited)
        self.mode_combo.currentIndexChanged.connect(self._edited)
        self.set_values(srt_entry(SrtSettings()))

    # -- values ----------------------------------------------------------------------------------

    def set_values(self, values: dict[str, Any]) -> None:
        """Show a destination's settings (an srt_entry dict); the passphrase is masked again."""
        self._loading = True
        try:
            self.show_passphrase_button.setChecked(False)
            self.latency_spin.set_number(values["latency_ms"])
            self.overhead_spin.set_number(values["overhead_percent"])
            self.max_bandwidth_spin.set_number(values["max_bandwidth_kbps"])
            fec = values["fec"]
            preset = self.fec_combo.findData(fec)
            self.fec_combo.setCurrentIndex(preset if preset >= 0 else self.fec_combo.findData(CUSTOM_FEC))
            self.fec_edit.setText(fec)
            self._show_fec_edit()
            self.passphrase_edit.setText(values["passphrase"])
            self.key_length_combo.setCurrentIndex(max(0, self.key_length_combo.findData(values["key_length"])))
            self.mode_combo.setCurrentIndex(max(0, self.mode_combo.findData(values["mode"])))
        finally:
            self._loading = False

    def values(self) -> dict[str, Any]:
        """The settings as shown, in srt_entry's form."""
        fec = self.fec_combo.currentData()
        return {
            "latency_ms": self.latency_spin.number(),
            "overhead_percent": self.overhead_spin.number(),
            "max_bandwidth_kbps": self.max_bandwidth_spin.number(),
            "fec": self.fec_edit.text().strip() if fec == CUSTOM_FEC else fec,
            "passphrase": self.passphrase_edit.text(),
            "key_length": self.key_length_combo.currentData(),
            "mode": self.mode_combo.currentData(),
        }

    def problem(self, values: dict[str, Any]) -> tuple[str, QWidget] | None:
        """What is wrong with a destination's SRT settings (any destination's, not only the one
        shown) as one line naming the field, and the editor to focus; None when all is well."""
        passphrase_chars = len(values["passphrase"])
        if passphrase_chars and not PASSPHRASE_MIN_CHARS <= passphrase_chars <= PASSPHRASE_MAX_CHARS:
            # Never quoted, not even its length: only what is expected.
            return (
                self.tr("SRT passphrase: use {low} to {high} characters, or leave it empty for no encryption").format(
                    low=PASSPHRASE_MIN_CHARS, high=PASSPHRASE_MAX_CHARS
                ),
                self.passphrase_edit,
            )
        fec = values["fec"]
        if fec and not (fec == "fec" or fec.startswith("fec,")):
            return (
                self.tr("SRT error correction: expected libsrt's filter, such as fec,cols:10,rows:5"),
                self.fec_edit,
            )
        return None

    # -- reactions ------------------------------------------------------------------------------

    def _edited(self, *_args: object) -> None:
        if not self._loading:
            self.changed.emit()

    def _show_fec_edit(self) -> None:
        self._form.setRowVisible(self.fec_edit, self.fec_combo.currentData() == CUSTOM_FEC)

    def _fec_choice_changed(self, _index: int) -> None:
        self._show_fec_edit()
        if self.fec_combo.currentData() == CUSTOM_FEC and not self._loading:
            if not self.fec_edit.text().strip():
                self.fec_edit.setText("fec,cols:10,rows:5")  # a start to edit, not a blank field
            self.fec_edit.setFocus()
        self._edited()

    def _show_passphrase_toggled(self, shown: bool) -> None:
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.show_passphrase_button.setText(self.tr("Hide") if shown else self.tr("Show"))


__all__ = ["AutoSpinBox", "SrtSettingsGroup", "srt_entry"]
