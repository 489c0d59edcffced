"""Write ``docs/changelog.md`` from the git history: one section per merged feature, most recent first.

Run from the repository root after a merge to main (``python docs/changelog.py``); the page is committed
so the site builds from a clone without history. A merge commit's message names the feature; the commits
it brought in are listed under it; commits made on main directly are listed on their own.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "changelog.md"


def _git(*args: str) -> list[str]:
    out = subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if line.strip()]


def _escape(text: str, limit: int = 240) -> str:
    text = text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"
    if text.count("`") % 2:
        text = text.replace("`", "'")
    parts = re.split(r"(`[^`]*`)", text)
    return "".join(p if p.startswith("`") else re.sub(r"([*_\[\]<>{}|\\])", r"\\\1", p) for p in parts)


def main(ref: str = "HEAD") -> str:
    lines = ["# Change log", "",
             "What changed, feature by feature, most recent first: each merged feature with the commits it brought,",
             "from the git history (`python docs/changelog.py` rewrites this page). Version "
             "numbers follow the package's `__version__`; every change so far is in the 0.1 development series.", ""]
    for row in _git("log", "--first-parent", "--format=%H|%P|%ad|%s", "--date=format:%Y-%m-%d", ref):
        sha, parents, date, subject = row.split("|", 3)
        parent_list = parents.split()
        if len(parent_list) > 1:
            lines += [f"## {date}: {_escape(subject, 160)}", ""]
            for sub in _git("log", "--no-merges", "--format=%h|%s", f"{parent_list[0]}..{parent_list[1]}"):
                h, s = sub.split("|", 1)
                lines.append(f"- `{h}` {_escape(s)}")
            lines.append("")
        else:
            lines += [f"## {date}: on main", "", f"- `{sha[:7]}` {_escape(subject)}", ""]
    # consecutive direct commits on main under one heading
    text = "\n".join(lines)
    text = re.sub(r"(## (\S+): on main\n\n(?:- .*\n)+)\n## \2: on main\n\n", r"\1", text)
    while True:
        new = re.sub(r"(## (\S+): on main\n\n(?:- .*\n)+)\n## \S+: on main\n\n", r"\1", text)
        if new == text:
            break
        text = new
    return text.rstrip() + "\n"


if __name__ == "__main__":
    OUT.write_text(main(*sys.argv[1:]), encoding="utf-8")
