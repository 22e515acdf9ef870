"""Shared bits of the CLI commands: one-line errors, never a traceback."""
from __future__ import annotations

import functools
import os
import sys


def error(command: str, message: str) -> None:
    print(f"signclip-desktop {command}: error: {message}", file=sys.stderr, flush=True)


def one_line_errors(command: str):
    """Decorator for a handler: known errors (and, unless SIGNCLIP_DEBUG is set, any other)
    become one line on stderr and exit code 1."""

    def wrap(fn):
        @functools.wraps(fn)
        def run(args):
            from ..keypoints.holistic import DetectorError
            from ..model.pack import PackError
            from ..sources.base import SourceError

            try:
                return fn(args)
            except (SourceError, PackError, DetectorError) as e:
                error(command, str(e))
            except KeyboardInterrupt:
                raise
            except BrokenPipeError:  # `... | head`
                try:
                    sys.stdout = open(os.devnull, "w")
                except OSError:
                    pass
                return 0
            except (OSError, ValueError, RuntimeError) as e:
                if os.environ.get("SIGNCLIP_DEBUG"):
                    raise
                error(command, f"{e.__class__.__name__}: {e}")
            except Exception as e:  # noqa: BLE001 - the CLI never shows a traceback
                if os.environ.get("SIGNCLIP_DEBUG"):
                    raise
                error(command, f"unexpected {e.__class__.__name__}: {e} (set SIGNCLIP_DEBUG=1 for details)")
            return 1

        return run

    return wrap
