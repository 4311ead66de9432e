"""Sound: the voices (engines, profiles, speech and its cache), the tones, the music, the mix of
them all on one timeline, and the MP3 encoder."""
