"""The README's speed section, written from one bench run's JSON (never by hand).

    signclip-desktop bench --json --data ../shared/data --bundle DIST > docs/bench/bench-DATE.json
    python -m signclip_desktop.perf.speed_section docs/bench/bench-DATE.json --write README.md
    python -m signclip_desktop.perf.speed_section --check README.md   # what the tests run

The section sits between ``<!-- speed:start JSON -->`` and ``<!-- speed:end -->``; the start
marker names the JSON it was written from, so ``--check`` can render it again and compare.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

START = re.compile(r"<!-- speed:start (?P<json>\S+) -->\n")
END = "<!-- speed:end -->"


def _f(v, fmt="{:.2f}", none="not measured") -> str:
    return none if v is None else fmt.format(v)


def _detectors(r: dict) -> str:
    n = r.get("pipeline_pool_workers") or 0
    if n:
        return f"{n} of them on {r.get('pool_kind', 'processes')}, one picture each (`pipeline_pool_workers`)"
    return f"one, with {r.get('pipeline_depth', 0) or 1} picture(s) in its graph at once (`pipeline_depth`)"


def render(r: dict, json_name: str) -> str:
    m = r.get("machine", {})
    load = m.get("load_before", [None])[0], m.get("load_after", [None])[0]
    lines = [
        f"`signclip-desktop bench --json --data ../shared/data"
        f"{' --bundle DIST' if r.get('bundle_mb') is not None else ''}` measures everything on one clip in one run "
        f"(`docs/BENCHMARKS.md` has the tables and what each key means). This run: `{json_name}`, "
        f"{m.get('cpus', '?')} CPUs, load average {_f(load[0], '{:.1f}', '?')} before and "
        f"{_f(load[1], '{:.1f}', '?')} after (other jobs shared the machine, so ratios from this one run are "
        f"the numbers to read, not absolute times).",
        "",
        f"- **Landmarks**: the `{r.get('pack', {}).get('name', '?')}` pack needs no face, so the app runs "
        f"`detector` **{r.get('detector', '?')}**: {_detectors(r)}. On this machine's cores the app's session as "
        f"it runs (capture, detectors, windows, encoder, scorer) gives **{_f(r.get('pipeline_ratio'))} x** the "
        f"landmark rate of a bare Holistic loop (`pipeline_ratio`: {_f(r.get('pipeline_fps'), '{:.1f}')} vs "
        f"{_f(r.get('holistic_fps'), '{:.1f}')} frames/s); with one detector and both loops pinned to one core: "
        f"{_f(r.get('pipeline_ratio_one_core'))} x (`pipeline_ratio_one_core`); one detector with two pictures in "
        f"its graph at once against one at a time, alternating: {_f(r.get('app_pipeline_ratio'))} x "
        f"(`app_pipeline_ratio`).",
        f"- **Encoder**: {_f(r.get('encoder_ms_64'), '{:.1f}')} ms for a 64-frame window on one thread, "
        f"{_f(r.get('encoder_ratio_64'), '{:.3f}')} of a Holistic frame (`encoder_ratio_64`).",
        f"- **Latency**: a guess {_f(r.get('guess_latency_ms'), '{:.0f}')} ms (median) after a sign's last frame "
        f"on a live camera; first frame {_f(r.get('first_frame_s'))} s, first guess "
        f"**{_f(r.get('first_guess_s'))} s** after start (`first_guess_s`); one app session peaks at "
        f"{_f(r.get('rss_mb_peak'), '{:.0f}')} MB RSS.",
        f"- **Cores**: the app's rule gave its session **{r.get('pool_workers', 0)}** detectors on "
        f"{r.get('pool_kind', 'processes')} here (`pool_workers`; {r.get('pool_note') or 'a pool ran'}); "
        f"the same session made to use a pool of {r.get('app_pool_workers', '?')} against one detector, "
        f"alternating: {_f(r.get('app_pool_ratio'))} x (`app_pool_ratio`). A pool of "
        f"{r.get('pool_bench_workers', '?')} worker processes measured on its own: {_f(r.get('pool_video_ratio'))} x "
        f"one detector on the same frames, with {_f(r.get('pool_rss_mb_extra'), '{:.0f}')} MB more memory.",
        f"- **Bundle**: {_f(r.get('bundle_mb'), '{:.0f} MB', 'not measured in this run')} (`bundle_mb`, 10^6 bytes; "
        f"{_f(r.get('bundle_mib'), '{:.0f} MiB', '? MiB')} as `du -sm` counts; built by `scripts/bundle`).",
    ]
    return "\n".join(lines) + "\n"


def _split(text: str):
    m = START.search(text)
    end = text.find(END, m.end()) if m else -1
    if not m or end < 0:
        raise ValueError(f"no '<!-- speed:start JSON -->' ... '{END}' markers")
    return m, end


def rewrite(readme: Path, json_path: Path) -> None:
    text = readme.read_text(encoding="utf-8")
    m, end = _split(text)
    name = Path(os.path.relpath(json_path.resolve(), readme.resolve().parent)).as_posix()
    body = render(json.loads(json_path.read_text(encoding="utf-8")), name)
    readme.write_text(text[:m.start()] + f"<!-- speed:start {name} -->\n" + body + text[end:], encoding="utf-8")


def check(readme: Path) -> str | None:
    """None when the section matches its JSON, else what is wrong."""
    text = readme.read_text(encoding="utf-8")
    try:
        m, end = _split(text)
    except ValueError as e:
        return f"{readme}: {e}"
    jp = readme.parent / m.group("json")
    if not jp.is_file():
        return f"{readme}: the speed section names {m.group('json')}, which is missing"
    want = render(json.loads(jp.read_text(encoding="utf-8")), m.group("json"))
    if text[m.end():end] != want:
        return f"{readme}: the speed section differs from {m.group('json')}; run python -m signclip_desktop.perf.speed_section {m.group('json')} --write {readme.name}"
    return None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("json", nargs="?", help="a bench --json output")
    ap.add_argument("--write", metavar="README", help="rewrite the section in this file")
    ap.add_argument("--check", metavar="README", help="compare the section with the JSON it names")
    a = ap.parse_args(argv)
    if a.check:
        problem = check(Path(a.check))
        print(problem or "speed section matches its bench JSON")
        return 1 if problem else 0
    if not a.json:
        ap.error("give a bench JSON (or --check README)")
    if a.write:
        rewrite(Path(a.write), Path(a.json))
    else:
        sys.stdout.write(render(json.loads(Path(a.json).read_text(encoding="utf-8")), a.json))
    return 0


if __name__ == "__main__":
    sys.exit(main())
