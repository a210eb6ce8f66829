"""The Settings dialog's Guests tab: where guests (连麦) connect to the studio (show.guests):
the port, HTTPS on the LAN, a public URL (a reverse proxy or tunnel the user runs), and the
STUN/TURN servers a guest outside the LAN needs. TURN credentials are drawn masked.

The running guest service follows a change by itself (the Guests dock starts it again once no
guest is in a call), so nothing here needs a new engine.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.engine.errors import InputError, input_error_from_validation
from studio.engine.guest_settings import GuestServiceSettings

URLS_COLUMN, USERNAME_COLUMN, CREDENTIAL_COLUMN = 0, 1, 2
CREDENTIAL_MASK = "\u2022" * 6


class MaskedTextDelegate(QStyledItemDelegate):
    """A cell whose text is secret: drawn masked, edited in a password field."""

    def displayText(self, value: Any, _locale: Any) -> str:  # noqa: N802 (Qt's name)
        return CREDENTIAL_MASK if value else ""

    def createEditor(self, parent: QWidget, _option: QStyleOptionViewItem, _index: QModelIndex | QPersistentModelIndex) -> QWidget:  # noqa: N802
        editor = QLineEdit(parent)
        editor.setEchoMode(QLineEdit.EchoMode.Password)
        return editor


def _note(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class GuestSettingsTab(QWidget):
    def __init__(self, settings: GuestServiceSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        group = QGroupBox(self.tr("Where guests connect"), self)
        form = QFormLayout(group)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.port_spin = QSpinBox(group)
        self.port_spin.setRange(0, 65535)
        self.port_spin.setSpecialValueText(self.tr("Any free port"))
        self.port_spin.setValue(settings.port)
        self.port_spin.setMaximumWidth(200)
        self.port_spin.setToolTip(self.tr("A fixed port keeps the guests' links the same from one show to the next"))
        form.addRow(self.tr("Port:"), self.port_spin)
        self.lan_check = QCheckBox(self.tr("Let guests on this network join (HTTPS with a certificate the studio makes)"), group)
        self.lan_check.setChecked(settings.listen_on_lan)
        form.addRow(self.lan_check)
        form.addRow(
            _note(self.tr("A guest's browser warns once about the studio's own certificate; they accept it to go on."), group)
        )
        self.public_url_edit = QLineEdit(settings.public_url or "", group)
        self.public_url_edit.setPlaceholderText("https://guests.example.com")
        form.addRow(self.tr("Public URL:"), self.public_url_edit)
        form.addRow(
            _note(
                self.tr(
                    "For guests outside your network: the address of a reverse proxy or tunnel you run "
                    "that forwards to this studio. Links then use it instead of this computer's address."
                ),
                group,
            )
        )
        layout.addWidget(group)

        servers = QGroupBox(self.tr("STUN and TURN servers"), self)
        servers_layout = QVBoxLayout(servers)
        servers_layout.addWidget(
            _note(
                self.tr(
                    "A guest outside your network usually needs a TURN server (a relay); STUN alone finds a "
                    "path only through simple routers. Several URLs of one server go in one row, separated by spaces."
                ),
                servers,
            )
        )
        self.servers_table = QTableWidget(0, 3, servers)
        self.servers_table.setHorizontalHeaderLabels([self.tr("URLs"), self.tr("Username"), self.tr("Credential")])
        self.servers_table.setItemDelegateForColumn(CREDENTIAL_COLUMN, MaskedTextDelegate(self.servers_table))
        self.servers_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.servers_table.verticalHeader().hide()
        header = self.servers_table.horizontalHeader()
        header.setSectionResizeMode(URLS_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(USERNAME_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(CREDENTIAL_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        self.servers_table.setMinimumHeight(120)
        for server in settings.ice_servers:
            self.add_server(" ".join(server.urls), server.username, server.credential.get_secret_value())
        servers_layout.addWidget(self.servers_table)
        buttons = QHBoxLayout()
        self.add_server_button = QPushButton(self.tr("Add"), servers)
        self.remove_server_button = QPushButton(self.tr("Remove"), servers)
        self.add_server_button.clicked.connect(lambda _checked=False: self._add_and_edit())
        self.remove_server_button.clicked.connect(lambda _checked=False: self.remove_server())
        buttons.addWidget(self.add_server_button)
        buttons.addWidget(self.remove_server_button)
        buttons.addStretch(1)
        servers_layout.addLayout(buttons)
        layout.addWidget(servers)
        layout.addWidget(
            _note(
                self.tr(
                    "A new port, network setting or server list applies when no guest is in a call: "
                    "the guest service restarts by itself. TURN credentials are saved in the show file."
                ),
                self,
            )
        )
        layout.addStretch(1)

    # -- the servers -------------------------------------------------------------------------------

    def add_server(self, urls: str = "", username: str = "", credential: str = "") -> int:
        row = self.servers_table.rowCount()
        self.servers_table.insertRow(row)
        for column, text in ((URLS_COLUMN, urls), (USERNAME_COLUMN, username), (CREDENTIAL_COLUMN, credential)):
            self.servers_table.setItem(row, column, QTableWidgetItem(text))
        return row

    def _add_and_edit(self) -> None:
        row = self.add_server("turn:")
        self.servers_table.setCurrentCell(row, URLS_COLUMN)
        self.servers_table.editItem(self.servers_table.item(row, URLS_COLUMN))

    def remove_server(self) -> None:
        row = self.servers_table.currentRow()
        if 0 <= row < self.servers_table.rowCount():
            self.servers_table.removeRow(row)

    def _cell(self, row: int, column: int) -> str:
        item = self.servers_table.item(row, column)
        return item.text().strip() if item is not None else ""

    # -- the result ---------------------------------------------------------------------------------

    def settings(self) -> GuestServiceSettings:
        """The settings as edited; InputError naming the field (guests.ice_servers[1].urls...)."""
        servers = []
        for row in range(self.servers_table.rowCount()):
            urls = self._cell(row, URLS_COLUMN).replace(",", " ").split()
            username, credential = self._cell(row, USERNAME_COLUMN), self._cell(row, CREDENTIAL_COLUMN)
            if not urls and not username and not credential:
                continue  # an empty row added and left
            servers.append({"urls": urls, "username": username, "credential": credential})
        data = {
            "port": self.port_spin.value(),
            "listen_on_lan": self.lan_check.isChecked(),
            "public_url": self.public_url_edit.text().strip() or None,
            "ice_servers": servers,
        }
        try:
            return GuestServiceSettings.model_validate(data)
        except ValidationError as error:
            raise input_error_from_validation(error, prefix="guests") from None

    def focus_for(self, error: InputError) -> QWidget | None:
        """The editor the problem is in, to show it."""
        field = error.field or ""
        if "public_url" in field:
            return self.public_url_edit
        if "ice_servers" in field:
            return self.servers_table
        return None


__all__ = ["GuestSettingsTab", "MaskedTextDelegate"]
