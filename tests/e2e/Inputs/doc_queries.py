#!/usr/bin/env python3
"""Runs every ```sql block of a Markdown file against a database, so that the
queries the docs show keep working. Each must succeed and return a row."""
import re
import sqlite3
import sys

doc, db = sys.argv[1], sys.argv[2]
queries = re.findall(r"```sql\n(.*?)```", open(doc).read(), re.S)
con = sqlite3.connect(db)
failed = 0
for q in queries:
    first = q.strip().splitlines()[0]
    try:
        rows = con.execute(q).fetchall()
    except sqlite3.Error as e:
        print("FAILED %s: %s" % (first, e))
        failed += 1
        continue
    print("%s %d rows: %s" % ("ok" if rows else "EMPTY", len(rows), first))
    failed += not rows
print("%d queries, %d failed" % (len(queries), failed))
sys.exit(1 if failed or not queries else 0)
