"""Limits that keep a track sane (a few hours at most) and a file small enough to speak, and the
name of the speech cache's environment variable.

In a module of their own, with no imports, so the command line can declare its options without
loading the YAML reader or the cache.
"""

MIN_HOLD = 0.1  # seconds (the command line and the files agree)
MAX_HOLD = 600.0
MAX_REST = 600.0
MAX_REPS = 20
MAX_COUNTDOWN = 10
MAX_EXERCISES = 100
MIN_BREATH = 1.0  # seconds breathing in, or out
MAX_BREATH = 15.0
MUSIC_LEVEL = -20.0  # dB: the music's loudness in holds, against the voice's (see music.py)
MIN_MUSIC_LEVEL = -40.0
MAX_MUSIC_LEVEL = 0.0
CACHE_VARIABLE = "STRETCHCUE_CACHE"  # the speech cache's folder, when set (sound/cache.py)
