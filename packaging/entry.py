"""PyInstaller entry point of the bundled app (build.spec).

``freeze_support()`` first: the Holistic worker pool starts its workers with the
*spawn* method, which in a frozen app re-runs this executable with special arguments.
"""
import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    if len(sys.argv) > 1 and sys.argv[1] == "--bench-session":  # bench's fresh-process start-up run
        from signclip_desktop.perf.session import main as session_main

        sys.exit(session_main(sys.argv[2:]))
    from signclip_desktop.cli import main

    sys.exit(main())
