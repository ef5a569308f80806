"""The pure domain core: no I/O, no frameworks."""
