"""Options every sender child's muxer takes so that it holds no picture back."""

# Write a video frame without waiting for the audio of the same time (AAC's leaves the encoder
# ~60 ms after its picture), which held each frame for 2-3 frames (benchmarks/latency.py:
# 100 ms -> 65 ms from reading a keyframe to sending it).
LOW_DELAY_MUXING = ["-max_interleave_delta", "1"]
