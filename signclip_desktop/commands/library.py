"""`signclip-desktop library`: your personal signs (taught from recordings, no retraining).

    library add NAME FILES... --language TAG    teach a sign from 3-10 recordings
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
    from ..practice.library import MIN_EXAMPLES, make_examples, pack_id

    if args.action == "add":
        from ..model.encoder import Encoder
        from ..model.pack import load_pack
        from ..model.registry import resolve_pack

        pack = load_pack(resolve_pack(args.pack))
        enc = Encoder(pack, providers="cpu" if args.cpu else "auto")
        bad: list = []
        exs = make_examples(args.files, pack, enc, trim_clips=not args.no_trim, errors=bad)
        for e in bad:  # every bad recording is named; the sign is kept from the good ones if enough
            error(NAME, str(e))
        if bad and len(exs) < MIN_EXAMPLES:
            error(NAME, f"{len(exs)} usable recordings of {len(args.files)}; a sign needs {MIN_EXAMPLES}: nothing added")
            return 1
        s = lib.add_sign(args.name, args.language, exs, pack=pack_id(pack))
        print(f"added {s.name!r} ({s.language}) with {s.n_examples} examples, embedded with {s.pack}")
        return 1 if bad else 0
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
