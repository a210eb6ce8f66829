"""The desktop app (PySide6). It only calls the engine's public methods and listens to its
events through one bridge (bridge.py); the engine never imports anything from here."""
