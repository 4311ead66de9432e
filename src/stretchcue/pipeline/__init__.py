"""The pipeline: the stages in order for the commands. One session's plan, which tracks to build
(one, hold variants, a progression, a manifest's list), and building them."""
