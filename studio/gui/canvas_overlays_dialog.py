"""Where the overlays go on another canvas (the vertical one): one row per kind (product card,
countdown, lower third, comment ticker) with Show, Position, Margin and Size, as the show file's
`canvases.NAME.overlays` holds them. Applied live by the session (the overlays on screen move on
the next tick); a kind left at "Follow main", 24 px, 100 % and shown is left out of the file.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from studio.engine.overlay_placement import OverlayAnchor, OverlayKind, OverlayPlacement

DEFAULT = OverlayPlacement()


class OverlayRow:
    """The editors of one overlay kind."""

    def __init__(self, dialog: QDialog, kind: OverlayKind, placement: OverlayPlacement, anchor_names: dict[OverlayAnchor, str]) -> None:
        self.kind = kind
        self.visible = QCheckBox(dialog)
        self.visible.setObjectName(f"visible:{kind.value}")
        self.visible.setChecked(placement.visible)
        self.anchor = QComboBox(dialog)
        self.anchor.setObjectName(f"anchor:{kind.value}")
        for anchor in OverlayAnchor:
            self.anchor.addItem(anchor_names[anchor], anchor.value)
        self.anchor.setCurrentIndex(self.anchor.findData(placement.anchor.value))
        self.margin = QSpinBox(dialog)
        self.margin.setObjectName(f"margin:{kind.value}")
        self.margin.setRange(0, 1000)
        self.margin.setSuffix(" px")
        self.margin.setValue(placement.margin_px)
        self.scale = QSpinBox(dialog)
        self.scale.setObjectName(f"scale:{kind.value}")
        self.scale.setRange(10, 100)
        self.scale.setSuffix(" %")
        self.scale.setValue(placement.scale_percent)
        self.visible.toggled.connect(self._enable)
        self._enable(placement.visible)

    def _enable(self, visible: bool) -> None:
        for editor in (self.anchor, self.margin, self.scale):
            editor.setEnabled(visible)

    def editors(self) -> tuple[QWidget, ...]:
        return self.visible, self.anchor, self.margin, self.scale

    def placement(self) -> OverlayPlacement:
        return OverlayPlacement(
            anchor=OverlayAnchor(self.anchor.currentData()),
            margin_px=self.margin.value(),
            scale_percent=self.scale.value(),
            visible=self.visible.isChecked(),
        )


class CanvasOverlaysDialog(QDialog):
    def __init__(self, canvas_name: str, placements: dict[OverlayKind, OverlayPlacement], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Overlays on the {canvas} canvas").format(canvas=canvas_name))
        kind_names = {
            OverlayKind.CARD: self.tr("Product card"),
            OverlayKind.COUNTDOWN: self.tr("Countdown"),
            OverlayKind.LOWER_THIRD: self.tr("Lower third"),
            OverlayKind.COMMENT_TICKER: self.tr("Comment ticker"),
        }
        anchor_names = {
            OverlayAnchor.FOLLOW_MAIN: self.tr("Follow main"),
            OverlayAnchor.TOP_LEFT: self.tr("Top left"),
            OverlayAnchor.TOP: self.tr("Top"),
            OverlayAnchor.TOP_RIGHT: self.tr("Top right"),
            OverlayAnchor.LEFT: self.tr("Left"),
            OverlayAnchor.CENTRE: self.tr("Centre"),
            OverlayAnchor.RIGHT: self.tr("Right"),
            OverlayAnchor.BOTTOM_LEFT: self.tr("Bottom left"),
            OverlayAnchor.BOTTOM: self.tr("Bottom"),
            OverlayAnchor.BOTTOM_RIGHT: self.tr("Bottom right"),
        }
        grid = QGridLayout()
        for column, title in enumerate((self.tr("Overlay"), self.tr("Show"), self.tr("Position"), self.tr("Margin"), self.tr("Size"))):
            grid.addWidget(QLabel(f"<b>{title}</b>", self), 0, column)
        self.rows: dict[OverlayKind, OverlayRow] = {}
        for line, kind in enumerate(OverlayKind, start=1):
            row = self.rows[kind] = OverlayRow(self, kind, placements.get(kind, DEFAULT), anchor_names)
            grid.addWidget(QLabel(kind_names[kind], self), line, 0)
            for column, editor in enumerate(row.editors(), start=1):
                grid.addWidget(editor, line, column)
        note = QLabel(
            self.tr(
                "Follow main keeps each overlay where it is on the main canvas, relatively; 100 % keeps its own "
                "pixels (the card's QR code stays sharp). A phone app draws its own buttons and comments at the "
                "bottom: a margin keeps the card clear of them. Changes show on the next frame."
            ),
            self,
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def result_placements(self) -> dict[str, OverlayPlacement]:
        """The placements by kind, the ones left as the default left out (as the show file has them)."""
        placements = {kind.value: row.placement() for kind, row in self.rows.items()}
        return {kind: placement for kind, placement in placements.items() if placement != DEFAULT}
