"""The command line's parts: the options every command shares (``options``) and the command
groups kept apart (``skills``); ``matcher.cli`` builds the app from them."""
