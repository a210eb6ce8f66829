"""Files shipped with the program (fonts, the demo's product pictures and comment replay), and
how a show's relative paths are found: beside the show file first, then among the shipped
assets, so the demo show saved under a new name still finds its pictures."""

from __future__ import annotations

from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parents[1] / "assets"


def asset_folder(path: str | Path, show_folder: Path | None) -> Path | None:
    """The folder a relative `path` is found in (beside the show, else the shipped assets)."""
    found = find_asset(path, show_folder)
    if Path(path).is_absolute() or not found.exists():
        return show_folder
    return ASSETS_DIR if not (show_folder is not None and (show_folder / path).exists()) else show_folder


def find_asset(path: str | Path, show_folder: Path | None) -> Path:
    """The file a show means by `path`: absolute as given; relative, beside the show, else in the
    shipped assets; if neither exists, the path beside the show (so errors name where it was looked for)."""
    path = Path(path)
    if path.is_absolute():
        return path
    candidates = [folder / path for folder in (show_folder, ASSETS_DIR) if folder is not None]
    return next((candidate for candidate in candidates if candidate.exists()), candidates[0])
