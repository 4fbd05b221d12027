"""``ssam-verify list`` and ``ssam-verify run``: the claims and their verdicts."""
from __future__ import annotations

from checks import runner
from checks.framework import RunContext, get_claim, registry

from ..options import add_command, add_options
from ..output import Progress, check_output_dir, dump_json, open_output, staged_folder, table
from ..parsing import int_argument, parse_claim_ids

__all__ = ["register", "run_claims", "evidence_summary", "false_failure_cell"]


def register(sub) -> None:
    p = add_command(sub, "list", cmd_list)
    add_options(p, "json", help={"json": 'print {"claims": [{"id", "title", "statement"}]}'})

    p = add_command(sub, "run", cmd_run)
    p.add_argument("--claims", help="comma-separated claim ids (default: every claim)")
    add_options(p, "seed", help={"seed": "base seed for all randomness (default 0)"})
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="smaller sample sizes (for smoke tests)")
    mode.add_argument("--thorough", action="store_true", help="larger sample sizes (slower)")
    p.add_argument("--json", metavar="PATH", help="write the results as JSON to PATH ('-' for stdout)")
    p.add_argument("--report", metavar="DIR", help="also write a Markdown+HTML report with figures to DIR")
    p.add_argument("--jobs", type=int_argument("jobs"), default=None,
                   help="worker processes running claims side by side, 1 to 64 (default: the CPUs available, "
                        f"here {runner.default_jobs()}); the numbers do not depend on it")
    add_options(p, "quiet", help={"quiet": "no progress output on stderr (a bar on a terminal, otherwise a "
                                           "line every 5 s)"})


def cmd_list(args) -> int:
    """List the registered claims.

    List every registered claim: its id (the paper's label), title and statement.
    """
    claims = registry()
    if args.json:
        dump_json({"claims": [{"id": c.id, "title": c.title, "statement": c.statement} for c in claims]})
        return 0
    print(table([[c.id, c.title] for c in claims], ["claim", "title"]))
    return 0


def evidence_summary(ev) -> str:
    """A few key numbers of one piece of evidence, for the table."""
    d = ev.detail
    if "error" in d:
        return "error"
    if ev.method == "monte-carlo" and "samples" in d:
        return f"n={d['samples']:.0e} z={d.get('z_max', float('nan')):.2f}"
    if ev.method == "negative-control" and "variants" in d:
        rej = sum(1 for v in d["variants"] if v.get("rejected"))
        return f"rejected {rej}/{len(d['variants'])}"
    if "summary" in d:
        return str(d["summary"])
    return "ok" if ev.passed else "FAIL"


def false_failure_cell(false_failure) -> str:
    """A claim's false-failure probability for the table: the union bound, with ``/budget`` if it declared one.

    ``0``: a deterministic claim (budget 0); ``-``: a claim that declared no budget.
    """
    false_failure = false_failure or {}
    p = float(false_failure.get("probability") or 0.0)
    budget = false_failure.get("budget")
    if budget is None:
        return f"{p:.1e}" if p > 0 else "-"
    if float(budget) == 0 and p == 0:
        return "0"
    return f"{p:.1e}/{float(budget):.0e}"


def run_claims(ids, ctx, progress=True, jobs: int = 1):
    """Run the claims with these ids (all if ``None``) on ``jobs`` processes, with progress on stderr.

    Progress (:class:`ssam_verify.output.Progress`): a bar on a terminal, otherwise a line
    every 5 s; ``progress=False`` prints nothing.
    """
    claims = registry() if ids is None else [get_claim(i) for i in ids]
    parallel = jobs > 1 and len(claims) > 1
    total = len(claims) if parallel else sum(len(c.methods) for c in claims)
    bar = Progress(total, "claims" if parallel else "methods", "run", quiet=not progress)

    def method_done(c, name):
        if not parallel:
            bar.update(1, c.id)

    def claim_done(result):
        if parallel:
            bar.update(1, result.id)

    try:
        return runner.run_claims([c.id for c in claims], ctx, jobs=jobs, on_method=method_done,
                                 on_claim=claim_done)
    finally:
        bar.close()


def cmd_run(args) -> int:
    """Run claims and print their verdicts.

    Run the registered claims (default: all). Each claim runs its methods: symbolic, high-
    precision, monte-carlo and negative-control; it passes iff every piece of evidence passes.
    Exit status: 0 all pass, 1 some fail or error, 2 bad input.
    """
    ids = parse_claim_ids(args.claims) if args.claims is not None else None
    json_out = open_output(args.json, "json") if args.json is not None else None  # before the claims run
    if args.report is not None:
        check_output_dir(args.report, "report")
    if ids is not None:
        for i in ids:
            get_claim(i)  # validate before running anything
    jobs = runner.default_jobs() if args.jobs is None else args.jobs
    if jobs < 1 or jobs > 64:
        raise ValueError(f"jobs must be between 1 and 64, got {jobs}")
    ctx = RunContext(seed=args.seed, quick=args.quick, thorough=args.thorough)
    results = run_claims(ids, ctx, jobs=jobs, progress=not args.quiet)
    rows = []
    for r in results:
        methods = sorted({e.method for e in r.evidence})
        failing = [f"{e.name}: {evidence_summary(e)}" for e in r.evidence if not e.passed]
        shown = [evidence_summary(e) for e in r.evidence if e.method in ("monte-carlo", "negative-control")]
        keys = "; ".join(failing) or "; ".join(k for k in shown if k != "ok")
        keys = keys if len(keys) <= 60 else keys[:57] + "..."
        rows.append([r.id, ",".join(m.replace("negative-control", "neg").replace("high-precision", "hp")
                                    .replace("monte-carlo", "mc").replace("symbolic", "sym") for m in methods),
                     keys, r.verdict.upper(), false_failure_cell(r.false_failure), f"{r.seconds:.1f}"])
    summary = {"passed": sum(r.verdict == "pass" for r in results),
               "failed": sum(r.verdict == "fail" for r in results),
               "errors": sum(r.verdict == "error" for r in results)}
    run_rate = runner.run_false_failure(results)
    payload = {"seed": args.seed, "mode": "quick" if args.quick else "thorough" if args.thorough else "default",
               "claims": [r.to_json() for r in results], "summary": summary, "false_failure": run_rate}
    if json_out is not None:
        dump_json(payload, json_out)
    if args.json != "-":
        print(table(rows, ["claim", "methods", "key numbers", "verdict", "P(false fail)", "seconds"]))
        print(f"\n{summary['passed']} passed, {summary['failed']} failed, {summary['errors']} errors (seed {args.seed})")
        print(f"false-failure probability of this run <= {run_rate['probability']:.1e} "
              f"(union bound over the claims' declared rates; P(false fail): spent/budget, 0 deterministic, "
              f"'-' no budget declared)")
    if args.report is not None:
        from pathlib import Path

        from ..report import write_report

        with staged_folder(args.report) as stage:  # complete files only, even on Ctrl-C
            written = write_report(results, stage, seed=args.seed, mode=payload["mode"])
        path = Path(args.report) / Path(written).relative_to(stage)
        if args.json != "-":
            print(f"report written to {path}")
    return 0 if summary["failed"] == 0 and summary["errors"] == 0 else 1
