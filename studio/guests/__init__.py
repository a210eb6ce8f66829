"""Guests (连麦): the guest service (WHIP/WHEP over aiortc), the guest page and the GuestHost
protocol through which the service reaches the engine."""
