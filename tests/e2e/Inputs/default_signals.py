#!/usr/bin/env python3
"""Runs a command with SIGINT and SIGQUIT at their default action: a test
runner may start us with them ignored, as shells do for background jobs."""
import os
import signal
import sys

for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGPIPE):
    signal.signal(sig, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])
