# The two commands of the README: `make run` and `make test`. Both create .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# System packages the tests use: PortAudio for sounddevice, ffmpeg for ffprobe, PulseAudio and
# its ALSA plugin for a virtual microphone (a null sink whose monitor PortAudio records), nginx
# with the RTMP module for a private RTMP server (tests/servers.py); the libraries Qt loads even
# offscreen (EGL/GL, fontconfig, xkbcommon, GLib, D-Bus), a Chinese font for the zh_CN UI, and
# openssl for the test certificates (RTMPS, Twitch over TLS); Xvfb and xsetroot for a private X
# display the screen-capture tests paint and grab; Chromium for the guest tests (a real browser
# joining the guest link with fake camera and microphone files).
# srt-tools (srt-live-transmit) sends SRT with libsrt's statistics and FEC; iproute2 and nftables
# make the network-namespace links the SRT loss tests send through.
SYSTEM_PACKAGES := libportaudio2 ffmpeg pulseaudio pulseaudio-utils libasound2-plugins nginx libnginx-mod-rtmp libnginx-mod-stream \
	libegl1 libgl1 libfontconfig1 libxkbcommon0 libglib2.0-0 libdbus-1-3 fonts-wqy-microhei openssl \
	xvfb x11-xserver-utils chromium srt-tools iproute2 nftables

.PHONY: run test venv test-venv system-packages lint-imports clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

venv: $(VENV)/.installed
test-venv: $(VENV)/.installed-test

# With a display this opens the desktop app on the demo show; without one it runs the
# same show headless and says so.
run: venv
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
		$(BIN)/studio; \
	else \
		echo "No display found: running the demo show headless (studio run). Press Ctrl+C to stop."; \
		$(BIN)/studio run; \
	fi

# Installs what the tests need (apt-get where present and needed), then runs everything.
system-packages:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if command -v apt-get >/dev/null 2>&1; then \
			echo "Installing system packages:$$missing"; \
			SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
			$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
		else \
			echo "Please install:$$missing (no apt-get here)"; \
		fi; \
	fi

lint-imports: test-venv
	$(BIN)/lint-imports

test: system-packages test-venv lint-imports
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
