"""The ``counterpoint`` command line.

Exit codes: 0 ok, 1 content errors (all listed), 2 usage errors.  A user
never sees a traceback: an internal error prints a short "this is a bug"
message, and the traceback only with ``--debug``.

One module: the parser of every command and one short function per command, each
loading only what it uses, so ``counterpoint --help`` and a no-op build stay fast.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from pathlib import Path

from counterpoint import __version__
from counterpoint.errors import BuildFailed, UsageError, say


def make_parser() -> argparse.ArgumentParser:
    # Long: the whole command line in one place, read top to bottom.
    parser = argparse.ArgumentParser(prog="counterpoint", description="A static-site generator for annotated essays.")
    parser.add_argument("--version", action="version", version=f"counterpoint {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    # the same two after the command (counterpoint build --debug); SUPPRESS keeps a value given before it
    debug = argparse.ArgumentParser(add_help=False)
    debug.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks of internal errors"
    )
    quiet = argparse.ArgumentParser(add_help=False)
    quiet.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="print only errors")
    both = [debug, quiet]
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    site_dir = "site folder (default: the current folder)"

    build = sub.add_parser("build", parents=both, help="build the site into the output folder")
    build.add_argument("dir", nargs="?", default=".", help=site_dir)
    build.add_argument("--out", type=Path, help="output folder (default: output in site.yml, public/)")
    build.add_argument("--drafts", action="store_true", help="include essays with draft: true")
    build.add_argument("--future", action="store_true", help="include essays dated in the future (marked as scheduled)")
    build.add_argument("--base-url", help="override base_url from site.yml")
    build.add_argument(
        "--allow-outside-output",
        action="store_true",
        help="build into an output folder outside the site even when it holds other files",
    )
    build.add_argument("--jobs", type=_jobs, help="processes that render, this one included (default: CPU count)")
    build.add_argument(
        "--no-cache", action="store_true", help="render everything: ignore the build cache and do not save it"
    )
    build.add_argument("--no-search", action="store_true", help="skip the Pagefind search index")
    build.add_argument("--timings", action="store_true", help="print the time spent in each stage")

    check = sub.add_parser("check", parents=both, help="validate everything without writing")
    check.add_argument("dir", nargs="?", default=".", help=site_dir)
    check.add_argument("--drafts", action="store_true", help="check drafts too")
    check.add_argument(
        "--external",
        action="store_true",
        help="also check links to other hosts (HEAD, then GET; good answers are remembered for a week)",
    )
    check.add_argument(
        "--timeout", type=_seconds, default=10.0, metavar="SECONDS", help="--external: how long to wait for a host (10)"
    )

    serve = sub.add_parser("serve", parents=[debug], help="build, serve, watch and live-reload")
    serve.add_argument("dir", nargs="?", default=".", help=site_dir)
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)"
    )
    serve.add_argument("--port", type=_port, default=8000, help="port to listen on (default: 8000; 0: any free port)")
    serve.add_argument("--drafts", action="store_true", help="include essays with draft: true")
    serve.add_argument("--poll", action="store_true", help="poll for changes (Docker mounts, network shares)")
    serve.add_argument(
        "--allow-host", action="append", default=[], metavar="HOST", help="also answer requests for HOST"
    )

    new = sub.add_parser("new", parents=both, help="scaffold an essay or a critique")
    new_sub = new.add_subparsers(dest="kind", metavar="KIND", required=True)
    new_essay = new_sub.add_parser("essay", parents=both, help='new essay bundle: counterpoint new essay "Title"')
    new_essay.add_argument("title", help="the essay's title; its slug is the title transliterated")
    new_essay.add_argument("--dir", default=".", help=site_dir)
    new_critique = new_sub.add_parser(
        "critique", parents=both, help="new critique: counterpoint new critique SLUG --author NAME"
    )
    new_critique.add_argument("slug", help="the essay's slug (its folder name in content/essays/)")
    new_critique.add_argument("--author", help="the reader's name (required unless --from text names one)")
    new_critique.add_argument(
        "--from",
        dest="from_file",
        metavar="FILE",
        help="a pasted reader comment ('-': standard input): quotes become remarks",
    )
    new_critique.add_argument(
        "--date", help="with --from: the date the reader wrote it (default: the pasted text's, else today)"
    )
    new_critique.add_argument("--source", help="with --from: where the comment was first posted (http/https)")
    new_critique.add_argument("--dir", default=".", help=site_dir)

    imp = sub.add_parser(
        "import",
        parents=both,
        help="bring content in: counterpoint import DIR (a Hugo or Jekyll blog), counterpoint import github ISSUES.json",
    )
    imp_sub = imp.add_subparsers(dest="kind", metavar="KIND", required=True)
    imp_github = imp_sub.add_parser(
        "github", parents=both, help="issues saved by 'gh issue list --json ...' -> critiques"
    )
    imp_github.add_argument("issues", help="the JSON file ('-': standard input)")
    imp_github.add_argument("--dir", default=".", help=site_dir)
    imp_github.add_argument(
        "--author-login",
        action="append",
        default=[],
        metavar="LOGIN",
        help="a GitHub login whose comments are the site author's replies (default: the owner of critiques: github)",
    )
    imp_github.add_argument(
        "--update", action="store_true", help="rewrite critiques whose issue changed since the last import"
    )
    imp_blog = imp_sub.add_parser(
        "blog", parents=both, help="a Hugo or Jekyll blog's posts -> essays (counterpoint import DIR is the same)"
    )
    imp_blog.add_argument(
        "source",
        metavar="DIR",
        help="the blog: a Hugo site or its content/ folder, a Jekyll site or its _posts/ folder",
    )
    imp_blog.add_argument(
        "--site", default=".", help="the counterpoint site to add the essays to (default: the current folder)"
    )
    imp_blog.add_argument("--dry-run", action="store_true", help="report what would be imported, write nothing")

    init = sub.add_parser("init", parents=both, help="create a new site")
    init.add_argument("dir", help="folder for the new site (created if missing)")
    init.add_argument(
        "--github-pages",
        action="store_true",
        help="also write .github/workflows/pages.yml, which publishes the site on GitHub Pages "
        "(into an existing site: only that file)",
    )
    return parser


def _port(text: str) -> int:
    """A TCP port number, or argparse's usage error (exit code 2)."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text} is not a port: use a number from 0 to 65535 (0: any free port)")
    return value


MAX_TIMEOUT = 3600  # check --external --timeout: an hour a host is already more than anyone waits


def _seconds(text: str) -> float:
    """A time to wait, or argparse's usage error: not "nan", "inf" or 1e308 (a socket
    cannot wait that long, and each link would be blamed for it)."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value <= MAX_TIMEOUT:
        raise argparse.ArgumentTypeError(f"{text} is not a number of seconds from 0 to {MAX_TIMEOUT}: e.g. 10")
    return value


def _jobs(text: str) -> int:
    """A number of processes, or argparse's usage error (exit code 2)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"{text} is not a number of processes: use 1 or more (1: render in this process only)"
        )
    return value


_IMPORT_KINDS = ("github", "blog")


def _blog_import_shorthand(argv: list[str]) -> list[str]:
    """``import DIR`` is ``import blog DIR``: a folder is never one of the kinds."""
    words = [n for n, word in enumerate(argv) if not word.startswith("-")]
    if len(words) >= 2 and argv[words[0]] == "import" and argv[words[1]] not in _IMPORT_KINDS:
        return [*argv[: words[1]], "blog", *argv[words[1] :]]
    return argv


def run() -> None:
    """The command line (``counterpoint``, ``python -m counterpoint``): ``main``, then the
    process ends at once.  The interpreter's own teardown, a last garbage collection over
    everything a build left in memory and the freeing of it, took 60-90 ms after a
    1,000-essay build had said it was done; nothing is left to run by then (the workers,
    Pagefind's services and every file are closed, and no ``atexit`` work is ours), so
    only the output is flushed.  Unless something watches the process (a profiler,
    coverage, a debugger), which writes what it gathered at the end."""
    code = main()
    if _watched():
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said
            pass
    os._exit(code)


OUTPUT_CLOSED = 141  # as the shell reports a command that SIGPIPE ended (128 + 13)


def _output_closed() -> int:
    """The reader of the output went away (``counterpoint check | head -1``): stop, as
    command-line tools do, without a word; what is still buffered goes nowhere."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        try:
            os.dup2(devnull, stream.fileno())
        except (OSError, ValueError):
            pass
    return OUTPUT_CLOSED


def _watched() -> bool:
    if sys.gettrace() is not None or sys.getprofile() is not None:
        return True
    monitoring = getattr(sys, "monitoring", None)  # Python 3.12: coverage's and profilers' newer hook
    return monitoring is not None and any(monitoring.get_tool(tool) is not None for tool in range(6))


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(_blog_import_shorthand(list(sys.argv[1:] if argv is None else argv)))
    if not args.command:
        parser.print_help()
        return 2
    try:
        return _dispatch(args)
    except BuildFailed as exc:
        say(exc.format(), sys.stderr)
        say(f"{len(exc.errors)} error(s)", sys.stderr)
        return 1
    except UsageError as exc:
        say(f"error: {exc}", sys.stderr)
        return 2
    except KeyboardInterrupt:
        say("stopped", sys.stderr)
        return 130
    except BrokenPipeError:  # what reads the output has gone (| head): the pipes of search say their own
        return _output_closed()
    except Exception:  # noqa: BLE001 - the last line of defence
        if args.debug:
            traceback.print_exc()
        else:
            kind, value, _ = sys.exc_info()
            say(
                f"internal error: {kind.__name__ if kind else 'error'}: {value}\n"
                "This is a bug in counterpoint. Run again with --debug for the traceback and report it.",
                sys.stderr,
            )
        return 3


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "build":
        return _build(args)
    if args.command == "check":
        return _check(args)
    if args.command == "serve":
        from counterpoint.serve.serve import run_serve  # lazily: each command loads only what it uses

        return run_serve(
            Path(args.dir),
            host=args.host,
            port=args.port,
            drafts=args.drafts,
            poll=args.poll,
            allowed_hosts=args.allow_host,
            debug=args.debug,
        )
    if args.command == "new":
        return _new(args)
    if args.command == "import" and args.kind == "blog":
        return _import(args)
    if args.command == "import":
        from counterpoint.inbox.github import run_import  # lazily: each command loads only what it uses

        return run_import(args)
    if args.command == "init":
        return _init(args)
    raise UsageError(f"unknown command {args.command}")


def _critique_from(args: argparse.Namespace) -> int:
    from counterpoint.errors import display_path  # lazily: each command loads only what it uses
    from counterpoint.inbox.commands import critique_from, outcome_lines, read_pasted

    text = read_pasted(args.from_file, sys.stdin)
    path, pasted = critique_from(
        Path(args.dir), args.slug, text, author=args.author, date=args.date, source=args.source
    )
    root = Path(args.dir).resolve()
    say(f"created {display_path(path, root)}")
    for line in outcome_lines(pasted.outcomes, display_path(path.parent.parent / "index.md", root)):
        say(line)
    anchored = sum(1 for o in pasted.outcomes if o.found.passage or o.target)
    say(
        f"{anchored} of {len(pasted.outcomes)} quote(s) anchored as remarks; the rest of the text is the critique's general text"
    )
    return 0


def _import(args: argparse.Namespace) -> int:
    from counterpoint.importer.blog import import_blog, summary_table  # lazily: each command loads only what it uses

    report = import_blog(Path(args.source), Path(args.site), dry_run=args.dry_run)
    for problem in report.errors + ([] if args.quiet else report.warnings):
        say(problem.format(), sys.stderr)
    if not args.quiet:
        say(summary_table(report))
    return 1 if report.errors else 0


def _new(args: argparse.Namespace) -> int:
    """`new essay` and `new critique`."""
    from counterpoint import scaffold  # lazily: each command loads only what it uses

    if args.kind == "essay":
        path = scaffold.new_essay(Path(args.dir), args.title)
    elif args.from_file:
        return _critique_from(args)
    else:
        if args.date or args.source:
            raise UsageError("--date and --source go with --from")
        if not args.author:
            raise UsageError("the critique needs an author: --author NAME")
        path = scaffold.new_critique(Path(args.dir), args.slug, args.author)
    if not args.quiet:
        say(f"created {path}")
    return 0


def _init(args: argparse.Namespace) -> int:
    """`init`: a new site, or the GitHub Pages workflow for one (`--github-pages`)."""
    from counterpoint import scaffold  # lazily: each command loads only what it uses

    folder = Path(args.dir)
    if args.github_pages and (folder / "site.yml").is_file():
        workflow = scaffold.add_github_pages(folder)
        if not args.quiet:
            say(f"created {workflow}")
        return 0
    if args.github_pages and (folder / scaffold.WORKFLOW).exists():
        scaffold.add_github_pages(folder)  # refuses, before the site is written
    path = scaffold.init_site(folder)
    if args.github_pages:
        workflow = scaffold.add_github_pages(path)
        if not args.quiet:
            say(f"created {workflow}")
    if not args.quiet:
        say(f"created a site in {path}: cd {path} && counterpoint serve")
    return 0


def _build(args: argparse.Namespace) -> int:
    from counterpoint.build.options import BuildOptions  # small: the engine is not loaded yet

    start = time.perf_counter()
    options = BuildOptions(
        drafts=args.drafts,
        future=args.future,
        out=args.out,
        base_url=args.base_url,
        jobs=args.jobs,
        use_cache=not args.no_cache,
        search=False if args.no_search else None,
        allow_outside_output=args.allow_outside_output,
        once=True,
    )
    walked = None
    if not args.no_cache:  # nothing to do is found out before the engine is loaded
        from counterpoint.build import uptodate

        walked = uptodate.check(Path(args.dir).resolve(), options.key())
        if walked.essays is not None:
            ms = (time.perf_counter() - start) * 1000
            _say_built(args, walked.essays, walked.output, ms, 0, {"discover": ms})
            return 0

    from counterpoint.build.engine import Engine  # lazily: the whole pipeline

    engine = Engine(Path(args.dir), options)
    report = engine.build(walked=walked)
    for warning in report.warnings:
        say(warning, sys.stderr)
    if not report.ok:
        for line in report.errors:
            say(line, sys.stderr)
        say(f"{len(report.errors)} error(s); nothing was written", sys.stderr)
        return report.exit_code
    stats = engine.last_stats
    detail = ""
    if stats is not None:
        detail = f"essays rendered: {stats.rendered} of {stats.bundles} (the others from the cache)"
        if stats.search is not None:
            detail += f"; search shards indexed: {stats.search[0]} of {stats.search[1]}"
    _say_built(
        args,
        stats.essays if stats else 0,
        engine.config.output,
        report.elapsed_ms,
        len(report.written),
        stats.timings if stats else {},
        detail,
    )
    return 0


def _say_built(
    args: argparse.Namespace, essays: int, output: Path | None, ms: float, changed: int, timings: dict, detail: str = ""
) -> None:
    if args.quiet:
        return
    say(f"built {essays} essay(s) into {output} in {ms:.0f} ms ({changed} file(s) changed)")
    if args.timings and timings:
        say("  " + ", ".join(f"{stage} {spent:.0f} ms" for stage, spent in timings.items()))
        if detail:
            say("  " + detail)


def _check(args: argparse.Namespace) -> int:
    from counterpoint.build.engine import Engine  # lazily: the whole pipeline
    from counterpoint.build.options import BuildOptions

    engine = Engine(Path(args.dir), BuildOptions(drafts=args.drafts))
    found, external = engine.check_all()  # a usage error: raised, exit 2
    if not args.quiet:
        for warning in engine.warnings:
            say(warning, sys.stderr)
    if args.external and not any(problem.severity == "error" for problem in found):
        # lazily: other hosts are asked only with --external, once the rest is right
        from counterpoint.build import uptodate
        from counterpoint.build.weblinks import CACHE_NAME, check_external
        from counterpoint.errors import ContentError

        broken, addresses, asked = check_external(
            external, uptodate.cache_dir(engine.root) / CACHE_NAME, timeout=args.timeout
        )
        if not args.quiet:
            say(
                f"external links: {addresses} address(es), {asked} asked, {addresses - asked} known good from earlier runs",
                sys.stdout,
            )
        found = sorted(found + broken, key=ContentError.sort_key)
    for problem in found:
        if problem.severity == "error" or not args.quiet:
            say(problem.format(), sys.stderr)
    errors = sum(1 for problem in found if problem.severity == "error")
    notes = len(found) - errors
    if errors:
        say(f"{errors} error(s)" + (f", {notes} note(s)" if notes else ""), sys.stderr)
        return 1
    if not args.quiet:
        say(f"no problems found ({notes} note(s))" if notes else "no problems found")
        _say_author_replies(Path(args.dir))
    return 0


def _say_author_replies(site_dir: Path) -> None:
    """Per critique, the replies the build marks as the author's: a critique file is
    the author's record, and these are the lines to review in one that came from
    someone else (a reader's pull request)."""
    from counterpoint.inbox.authorship import author_replies  # lazily: after check, only when it passed
    from counterpoint.source.config import load_config

    replies = author_replies(load_config(site_dir))
    if not replies:
        return
    say("replies marked as the author's:")
    for reply in replies:
        say(f"  {reply.rel}:{reply.line}: {reply.name}, {reply.date}")
