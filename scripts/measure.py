#!/usr/bin/env python3
"""Runs a command and prints its wall time, CPU time and peak RSS as one JSON line.

Usage: measure.py LABEL -- CMD ARGS...
The command's stdout is sent to stderr. Peak RSS is the child's ru_maxrss (KiB on Linux), read with wait4, so it is the
command's own peak, not this script's.
"""
import json
import os
import sys
import time

def main() -> int:
    if "--" not in sys.argv:
        print("usage: measure.py LABEL -- CMD ARGS...", file=sys.stderr)
        return 2
    split = sys.argv.index("--")
    label = " ".join(sys.argv[1:split])
    cmd = sys.argv[split + 1:]
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.dup2(2, 1)  # the command's own output goes to stderr; stdout is the report
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    print(json.dumps({
        "label": label,
        "exit": code,
        "wall_s": round(wall, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
    }))
    return 0 if code in (0, 65) else code

if __name__ == "__main__":
    sys.exit(main())
