"""`signclip-desktop library`: your personal signs (taught from recordings, no retraining).

    library add NAME FILES... --language TAG    teach a sign from 3-10 recordings
                                                 (a name in use: --append or --rename NEW)
    library list                                 signs, languages, examples
    library remove NAME | rename NAME NEW
    library export FILE.signlib | import FILE.signlib
"""
from __future__ import annotations

import argparse
import json
import sys

from ._util import error, one_line_errors

NAME = "library"


def register(subparsers) -> None:
    p = subparsers.add_parser(NAME, help="your personal signs: add, list, remove, rename, export, import",
                              description=__doc__.split("\n\n")[0].replace("`", ""),
                              formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n")[1])
    p.add_argument("--library", default=None, help="library file (default: library.sqlite3 in the user's data folder)")
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = sub.add_parser("add", help="teach a sign from 3-10 recordings (trimmed hands-up to hands-down)")
    a.add_argument("name")
    a.add_argument("files", nargs="+", metavar="FILE", help="video, .pose, .npz, image folder...")
    a.add_argument("--language", default="und", help="sign language tag, e.g. ase, bfi, gsg (default und)")
    a.add_argument("--pack", default=None, help="pack to embed with (default: words)")
    a.add_argument("--cpu", action="store_true")
    a.add_argument("--no-trim", action="store_true", help="keep recordings whole")
    dup = a.add_mutually_exclusive_group()
    dup.add_argument("--append", action="store_true",
                     help="NAME exists: add these recordings as more examples of it")
    dup.add_argument("--rename", metavar="NEW", default=None, help="NAME exists: save these recordings as sign NEW")
    a.add_argument("--no-progress", action="store_true", help="no progress on stderr")
    ls = sub.add_parser("list", help="list signs")
    ls.add_argument("--json", action="store_true")
    r = sub.add_parser("remove", help="delete a sign")
    r.add_argument("name")
    r.add_argument("--language", default=None)
    rn = sub.add_parser("rename", help="rename a sign")
    rn.add_argument("name")
    rn.add_argument("new_name")
    rn.add_argument("--language", default=None)
    e = sub.add_parser("export", help="write the library to one .signlib file")
    e.add_argument("file")
    i = sub.add_parser("import", help="add the signs of a .signlib file")
    i.add_argument("file")
    i.add_argument("--on-conflict", choices=("rename", "replace", "skip"), default="rename")
    p.set_defaults(func=run)


def _ask(existing, name: str) -> tuple[str, str | None]:
    """Interactive: what to do with a name in use -> ("append"|"rename"|"cancel", new name)."""
    import sys

    have = ", ".join(f"{s.language}, {s.n_examples} examples" for s in existing)
    print(f"a sign named {name!r} is already in the library ({have}).", file=sys.stderr)
    while True:
        try:
            ans = input("[a]dd these recordings to it, save under a [n]ew name, or [c]ancel? ").strip().lower()
        except EOFError:
            return "cancel", None
        if ans in ("a", "add"):
            return "append", None
        if ans in ("n", "new"):
            try:
                new = input("new name: ").strip()
            except EOFError:
                return "cancel", None
            if new:
                return "rename", new
        if ans in ("c", "cancel", "q", ""):
            return "cancel", None


def _add(args, lib) -> int:
    """``library add``: a name in use is never silently doubled (ask, --append or --rename)."""
    import sys

    from ..model.encoder import Encoder
    from ..model.pack import load_pack
    from ..model.registry import resolve_pack
    from ..practice.library import MAX_EXAMPLES, MIN_EXAMPLES, make_examples, pack_id
    from ..progress import Progress

    name, action = args.name, "new"
    existing = lib.find(name)
    if existing:
        if args.append:
            action = "append"
        elif args.rename:
            name, action = args.rename, "new"
        elif sys.stdin.isatty():
            action, new = _ask(existing, name)
            if action == "cancel":
                print("nothing added")
                return 1
            name = new or name
        else:
            have = ", ".join(f"{s.language}, {s.n_examples} examples" for s in existing)
            error(NAME, f"a sign named {name!r} is already in the library ({have}); nothing was added. Use --append "
                        "to add these recordings to it, or --rename NEW to save them as a new sign")
            return 1
        if action == "new" and lib.find(name):
            error(NAME, f"a sign named {name!r} is already in the library too; nothing was added")
            return 1
    elif args.append or args.rename:
        error(NAME, f"no sign named {name!r} to --append to or --rename from; nothing was added")
        return 1
    target = None
    if action == "append":
        lang = [s for s in existing if s.language == args.language] if args.language != "und" else []
        if len(existing) > 1 and not lang:
            error(NAME, f"several signs are named {name!r} ({', '.join(s.language for s in existing)}); "
                        "give --language to pick one")
            return 1
        target = (lang or existing)[0]
        if target.n_examples + len(args.files) > MAX_EXAMPLES:
            error(NAME, f"{target.name!r} has {target.n_examples} examples; at most {MAX_EXAMPLES} are kept, "
                        f"so {len(args.files)} more do not fit; nothing was added")
            return 1
    prog = Progress(len(args.files) + 1, "library add: loading the pack", enabled=not args.no_progress)
    pack = load_pack(resolve_pack(args.pack))
    enc = Encoder(pack, providers="cpu" if args.cpu else "auto")
    prog.update()
    exs, bad = [], []
    for f in args.files:
        prog.update(0, label=f"library add: reading {f}")
        exs += make_examples([f], pack, enc, trim_clips=not args.no_trim, errors=bad)
        prog.update()
    prog.close()
    for e in bad:  # every bad recording is named; the sign is kept from the good ones if enough
        error(NAME, str(e))
    if bad and target is None and len(exs) < MIN_EXAMPLES:
        error(NAME, f"{len(exs)} usable recordings of {len(args.files)}; a sign needs {MIN_EXAMPLES}: nothing added")
        return 1
    if bad and not exs:
        error(NAME, "no usable recording: nothing added")
        return 1
    if target is not None:
        s = lib.add_examples(target, exs, pack=pack_id(pack))
        print(f"added {len(exs)} examples to {s.name!r} ({s.language}): {s.n_examples} examples now")
    else:
        s = lib.add_sign(name, args.language, exs, pack=pack_id(pack))
        print(f"added {s.name!r} ({s.language}) with {s.n_examples} examples, embedded with {s.pack}")
    return 1 if bad else 0


@one_line_errors(NAME)
def run(args) -> int:
    from ..practice.library import Library, LibraryError

    try:
        lib = Library(args.library)
    except LibraryError as e:
        error(NAME, str(e))
        return 1
    if lib.notice:  # damaged and set aside, or read-only
        print(f"signclip-desktop {NAME}: {lib.notice}", file=sys.stderr, flush=True)
    try:
        return _run(args, lib)
    except LibraryError as e:
        error(NAME, str(e))
        return 1
    finally:
        lib.close()


def _run(args, lib) -> int:
    if args.action == "add":
        return _add(args, lib)
    elif args.action == "list":
        signs = lib.signs()
        if args.json:
            print(json.dumps([{"name": s.name, "language": s.language, "examples": s.n_examples, "pack": s.pack}
                              for s in signs], ensure_ascii=False))
        elif not signs:
            print("no signs yet: `signclip-desktop library add NAME FILES... --language TAG`")
        else:
            for s in signs:
                print(f"{s.name}\t{s.language}\t{s.n_examples} examples\t{s.pack}")
    elif args.action == "remove":
        lib.remove(args.name, args.language)
        print(f"removed {args.name!r}")
    elif args.action == "rename":
        s = lib.rename(args.name, args.new_name, args.language)
        print(f"renamed {args.name!r} to {s.name!r}")
    elif args.action == "export":
        out = lib.export(args.file)
        print(f"exported {len(lib.signs())} signs to {out}")
    elif args.action == "import":
        skipped: list[str] = []
        added = lib.import_file(args.file, on_conflict=args.on_conflict, dims=installed_dims(), skipped=skipped)
        print(f"imported {len(added)} signs" + (": " + ", ".join(s.name for s in added) if added else ""))
        for why in skipped:
            error(NAME, f"{args.file}: skipped {why}")
        return 1 if skipped else 0
    return 0


def installed_dims() -> dict[str, int]:
    """Embedding size of every usable installed pack, by library pack id (manifests only)."""
    from ..model.pack import PackError, check_manifest, read_manifest
    from ..model.registry import list_packs

    out = {}
    for info in list_packs():
        if info.error is None:
            try:
                m = read_manifest(info.path)
                out[f"{m.get('name', info.path.name)}@{m.get('version', '0')}"] = check_manifest(info.path, m).dim
            except PackError:
                continue
    return out
