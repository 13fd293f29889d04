"""The ``evidence`` command line: validate, review and build.

    evidence validate [PATH]        check a data package; list every problem
    evidence review [CLAIM_ID]      one claim in context, or the whole ledger
    evidence check [--all]          claims against the evidence: findings and coherence
    evidence sof                    the Summary of Findings, GRADE-rated
    evidence build [--out DIR]      regenerate every figure and the report
    evidence new ARTICLE --out DIR  start the review of another article (an empty, valid package)

The data package is, in this order: the PATH or ``--data`` given, ``$EVIDENCE_DATA``, the
current folder when it holds a ``datapackage.json``, else the bundled one.

Exit status: 0 on success, 1 when the data has problems or the output cannot be written,
2 on usage errors, 130 (143) when interrupted by Ctrl-C (SIGTERM). ``evidence check`` exits 1
while a stored verdict or certainty contradicts the computed one without a written reason
(an open coherence issue); its findings are reported, not failed on. A user's error never
shows a traceback: it is one message saying what is wrong and what to do.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import shutil
import sys


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="evidence", description="Claims of a health article beside the evidence.")
    p.add_argument("--data", metavar="PATH", help="data package folder (default: $EVIDENCE_DATA, the current "
                                                  "folder if it holds a datapackage.json, else the bundled data/)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    v = sub.add_parser("validate", help="check a data package and list every problem")
    v.add_argument("path", nargs="?", help="data package folder (default: the bundled data/)")
    r = sub.add_parser("review", help="show one claim with its evidence, or the whole ledger")
    r.add_argument("claim_id", nargs="?", help="e.g. C14; omit for the whole ledger")
    r.add_argument("--width", type=int, default=None, help="output width (default: terminal, at most 100)")
    c = sub.add_parser("check", help="check every claim against its evidence; findings and coherence")
    c.add_argument("--all", action="store_true", help="list ok and info findings too")
    c.add_argument("--width", type=int, default=None, help="output width (default: terminal, at most 100)")
    f = sub.add_parser("sof", help="the Summary of Findings: effects, certainty (GRADE) and statements")
    f.add_argument("--width", type=int, default=None, help="output width (default: terminal, at most 100)")
    b = sub.add_parser("build", help="regenerate every figure and the claim-review report")
    b.add_argument("--out", default=".", help="folder receiving figures/ and reports/ (default: .)")
    b.add_argument("--quiet", action="store_true", help="no progress lines")
    w = sub.add_parser("new", help="start the review of another article: an empty, valid data package")
    w.add_argument("article", metavar="ARTICLE", help="the article's text file (UTF-8), copied byte for byte")
    w.add_argument("--out", required=True, metavar="DIR", help="the new package folder")
    w.add_argument("--title", help="the article's title (default: its first non-empty line)")
    w.add_argument("--intervention", default="the intervention", help="what the article credits, e.g. yoga")
    w.add_argument("--condition", default="the condition", help="what it treats, e.g. neck pain")
    w.add_argument("--url", help="where the article was read (http or https)")
    n = sub.add_parser("notebooks", help="re-execute every notebook and store its outputs (needs .[notebooks])")
    n.add_argument("folder", nargs="?", help="notebook folder (default: the repository's notebooks/)")
    return p


def _load(path):
    from evidence_lib.dataset.loader import load

    return load(path)


def main(argv: list[str] | None = None) -> int:
    """Run the ``evidence`` command line.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit status (see the module docstring).
    """
    args = _parser().parse_args(argv)
    from evidence_lib.errors import BuildError, DataValidationError

    try:
        return _run(args)
    except DataValidationError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except BuildError as exc:
        print(f"evidence {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:
        signum = getattr(exc, "signum", 2)
        where = f"; {args.out} is left as it was" if args.command == "build" else ""
        print(f"evidence {args.command}: interrupted{where}", file=sys.stderr)
        return 128 + signum
    except BrokenPipeError:
        # the reader went away (``evidence review | head``): stop quietly
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 141
    except OSError as exc:
        print(f"evidence {args.command}: {exc.strerror or exc}"
              f"{f' ({exc.filename})' if exc.filename else ''}; check the path and its permissions",
              file=sys.stderr)
        return 1


def _data_path(args):
    """The data package to work on: the path given, $EVIDENCE_DATA, the current folder, the bundled one."""
    path = getattr(args, "path", None) or args.data
    if path or os.environ.get("EVIDENCE_DATA"):
        return path
    return "." if os.path.isfile("datapackage.json") else None


def _new(args) -> int:
    from pathlib import Path

    from evidence_lib.dataset.scaffold import new_review

    title = args.title
    if not title:
        text = Path(args.article).read_bytes().decode("utf-8", errors="replace")
        title = next((line.strip() for line in text.splitlines() if line.strip()), "")
    try:
        out = new_review(args.article, args.out, title=title, intervention=args.intervention,
                         condition=args.condition, url=args.url)
    except ValueError as exc:
        print(f"evidence new: {exc}", file=sys.stderr)
        return 2
    print(f"Started the review of '{title}' in {out}: datapackage.json, article.txt and empty tables. "
          f"Next: add claims.csv rows, then run 'evidence validate', 'evidence check' and 'evidence build' there.")
    return 0


def _run(args) -> int:
    if args.command == "new":
        return _new(args)
    path = _data_path(args)
    if args.command == "validate":
        ds = _load(path)
        n = {k: len(v) for k, v in ds.tables.items() if len(v)}
        filled = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in n.items())
        print(f"OK: {ds.root} is valid: " + (filled + "." if filled else "every table is empty yet."))
        empty = [k.replace("_", " ") for k, v in ds.tables.items() if not len(v) and k not in ds.absent_tables]
        if n and empty:
            print("empty tables: " + ", ".join(empty))
        if ds.absent_tables:
            print("absent (optional) tables: " + ", ".join(ds.absent_tables))
        for w in ds.warnings:
            print(f"warning: {w}")
        return 0
    if args.command == "review":
        from evidence_lib.review.ledger import format_claim, format_ledger

        ds = _load(path)
        width = args.width or min(100, shutil.get_terminal_size((100, 24)).columns)
        if args.claim_id:
            cid = args.claim_id.upper()
            try:
                print(format_claim(ds, cid, width=width))
            except KeyError as exc:
                print(f"evidence review: {exc.args[0]}", file=sys.stderr)
                return 2
            from evidence_lib.output.text import format_checks

            print()
            print(format_checks(ds, cid, width=width))
        else:
            print(format_ledger(ds, width=width))
        return 0
    if args.command == "check":
        from evidence_lib.output.text import format_check_summary

        ds = _load(path)
        width = args.width or min(100, shutil.get_terminal_size((100, 24)).columns)
        text, n_open = format_check_summary(ds, width=width, show_all=args.all)
        print(text)
        return 1 if n_open else 0
    if args.command == "sof":
        from evidence_lib.output.text import format_sof

        ds = _load(path)
        width = args.width or min(100, shutil.get_terminal_size((100, 24)).columns)
        print(format_sof(ds, width=width))
        return 0
    if args.command == "build":
        from evidence_lib.output.build import build

        res = build(path, args.out, progress=not args.quiet)
        print(f"Built {len(res.files)} files in {res.seconds:.1f} s into {args.out}")
        return 0
    if args.command == "notebooks":
        missing = [m for m in ("nbformat", "nbclient") if importlib.util.find_spec(m) is None]
        if missing:
            print(f"evidence notebooks: needs {' and '.join(missing)}, which are not installed; "
                  f"install them with: pip install -e \".[notebooks]\"", file=sys.stderr)
            return 2
        from evidence_lib.output.notebooks import execute_all

        done = execute_all(args.folder)
        print(f"Executed and stored {len(done)} notebooks")
        return 0
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
