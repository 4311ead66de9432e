"""Authoring: what the listener will hear, as data. Routines read from YAML and checked, the
phrasebook, the compiler's script and its timeline to the sample; pure code, no audio."""
