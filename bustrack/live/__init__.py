"""What is live now, whatever the source: pure state that the tick reads (no I/O, no clock)."""
