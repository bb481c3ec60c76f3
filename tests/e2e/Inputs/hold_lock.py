#!/usr/bin/env python3
"""Runs a command while another connection holds the write lock of a
SQLite database, then releases it.

    hold_lock.py DB COMMAND ARGS...

Prints the command's stderr to stdout, then `exit=N`."""
import sqlite3
import subprocess
import sys

db, cmd = sys.argv[1], sys.argv[2:]
con = sqlite3.connect(db, isolation_level=None, timeout=10)
con.execute("BEGIN EXCLUSIVE")
try:
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True)
finally:
    con.execute("COMMIT")
    con.close()
sys.stdout.write(p.stderr)
print("exit=%d" % p.returncode)
