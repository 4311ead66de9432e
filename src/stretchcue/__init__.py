"""stretchcue: turn a stretching routine into a voice-guided MP3."""

__version__ = "0.9.0"
