"""Outputs: the files a build leaves. Tracks and their tags, file names, transcripts, playlists,
cards and pictures, and the podcast feed."""
