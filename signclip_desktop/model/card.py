"""A short, plain summary of a pack's model card for the Help menu: what it knows, how well,
on whom. Read from the pack's own ``MODEL_CARD.md`` so Help never states a number the card does
not; a pack without a card gets its manifest's description and an honest "no card" line."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MAX_CARD_BYTES = 512 * 1024
_ROW = re.compile(r"^\|(.+)\|\s*$")


@dataclass(frozen=True)
class CardSummary:
    title: str
    description: str
    results: list[tuple[str, str]]  # (measure, value) rows of the card's first results table
    has_card: bool


def summarize_card(pack_dir: Path | str, description: str = "", max_rows: int = 8) -> CardSummary:
    pack_dir = Path(pack_dir)
    path = pack_dir / "MODEL_CARD.md"
    try:
        if path.stat().st_size > MAX_CARD_BYTES:
            raise OSError("too large")
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return CardSummary(pack_dir.name, description or "No description.", [], False)
    lines = text.splitlines()
    title = next((ln.lstrip("# ").strip() for ln in lines if ln.startswith("# ")), pack_dir.name)
    para: list[str] = []
    for ln in lines:
        if ln.startswith("#"):
            if para:
                break
            continue
        if ln.strip():
            para.append(ln.strip())
        elif para:
            break
    rows: list[tuple[str, str]] = []
    in_results = False
    for ln in lines:
        if ln.startswith("#"):
            if rows:
                break
            in_results = bool(re.search(r"result|accuracy|held-out|k-fold", ln, re.I))
            continue
        m = _ROW.match(ln)
        if not (in_results and m):
            continue
        cells = [c.strip() for c in m.group(1).split("|")]
        if len(cells) < 2 or set(cells[1]) <= set("-: ") or cells[0].lower() in ("metric", "measure"):
            continue
        rows.append((cells[0].replace("`", ""), cells[1].replace("**", "")))
        if len(rows) >= max_rows:
            break
    return CardSummary(title, " ".join(para) or description or "No description.", rows, True)
