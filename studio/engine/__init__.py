"""The engine: clock, sources, switcher, compositor, mixer and outputs. Never imports Qt."""
