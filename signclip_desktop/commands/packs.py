"""`signclip-desktop packs`: the installed model packs (built-in and the user's own)."""
from __future__ import annotations

import json

from ._util import one_line_errors

NAME = "packs"


def register(subparsers) -> None:
    p = subparsers.add_parser(NAME, help="list installed model packs", description=__doc__.replace("`", ""))
    p.add_argument("--json", action="store_true", help="one JSON object per pack and line")
    p.set_defaults(func=run)


@one_line_errors(NAME)
def run(args) -> int:
    from ..model.registry import builtin_packs_dir, list_packs, user_packs_dir

    packs = list_packs()
    if args.json:
        for p in packs:
            print(json.dumps(p.to_json()))
        return 0
    if not packs:
        print(f"no packs found (built-in: {builtin_packs_dir()}, yours: {user_packs_dir()})")
        return 0
    rows = [("NAME", "VERSION", "LABELS", "LANGUAGES", "WHERE", "PATH")]
    for p in packs:
        langs = ",".join(p.languages) if p.error is None else f"BROKEN: {p.error}"
        rows.append((p.name, p.version or "-", str(p.num_labels), langs or "-", "built-in" if p.builtin else "user",
                     str(p.path)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[-1])
    return 0
