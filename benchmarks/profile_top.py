"""Top entries of a py-spy profile, restricted to the samples inside one function.

    py-spy record --nonblocking -r 200 -f raw -o prof.txt -- python benchmarks/lookup_bench.py ...
    python benchmarks/profile_top.py prof.txt [--inside EnterpriseIndex.search] [--top 10]
        [--exclude _DispatcherBase._compile_for_args] [--lines]

Reads py-spy's raw (collapsed) output, keeps the stacks that pass through the
function named by ``--inside`` (and through none named by ``--exclude``, e.g.
the one-time loading of compiled code in the first search), and prints the
functions with the most samples of their own (the innermost frame) and with the
most samples in all (anywhere on the stack below it), as shares of the samples
kept. Compiled (numba) code has no Python frame: its time is the own time of the
line that calls it, which ``--lines`` shows.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

_FRAME = re.compile(r"^(.*) \((.*?)(?::\d+)?\)$")


def _name(frame: str, line: bool = False) -> str:
    m = _FRAME.match(frame)
    if not m:
        return frame
    where = Path(m.group(2)).name + (frame[frame.rfind(":") : -1] if line else "")
    return f"{m.group(1)} ({where})"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("profile", type=Path, help="py-spy raw output (-f raw)")
    parser.add_argument("--inside", default="EnterpriseIndex.search")
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--exclude", action="append", default=[], help="leave out stacks")
    parser.add_argument("--lines", action="store_true", help="own time per line")
    args = parser.parse_args(argv)
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    kept = 0
    for line in args.profile.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        names = [_name(f) for f in frames]
        at = next((i for i, n in enumerate(names) if n.startswith(args.inside + " ")), None)
        if at is None or not count.isdigit():
            continue
        if any(n.startswith(x + " ") for n in names for x in args.exclude):
            continue
        n = int(count)
        kept += n
        below = names[at:]
        own[_name(frames[-1], line=True) if args.lines else below[-1]] += n
        for name in set(below):
            total[name] += n
    if not kept:
        print(f"no samples inside {args.inside}")
        return 1
    print(f"{kept} samples inside {args.inside}")
    print(f"{'own':>6}  function")
    for name, n in own.most_common(args.top):
        print(f"{100 * n / kept:5.1f}%  {name}")
    print(f"{'total':>6}  function")
    for name, n in total.most_common(args.top + 1)[1:]:
        print(f"{100 * n / kept:5.1f}%  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
