"""Disk: how stretchcue reads and writes files. It proves which files are its own (a seal in each),
replaces only those, writes every file whole (temp file, then rename), one run per folder."""
