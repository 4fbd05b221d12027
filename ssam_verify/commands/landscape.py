"""``ssam-verify shrinkage`` and ``ssam-verify threshold``: Theorem 3.1(b) at any precision.

Numbers on the command line are exact decimals (:func:`ssam_verify.parsing.parse_decimal`),
never rounded through float; roots come with certified enclosures
(:func:`numeric.shrinkage.shrinkage_roots`).
"""
from __future__ import annotations

import math
from collections import Counter

import mpmath

from numeric import shrinkage as S
from numeric.critical_points.classification import coordinate_root_kinds
from numeric.shrinkage.exact_inputs import (MAX_DECIMAL_EXPONENT, MAX_DIGITS, MAX_ROOT_DEPTH, MAX_THRESHOLD_DEPTH,
                                            checked_depth)
from numeric.validation import check_int

from ..options import add_command, add_options, read_plot
from ..output import dump_json, table
from ..parsing import parse_decimal

#: The deepest network whose critical points are classified (high-precision Hessians: L = 32 about 2 s).
MAX_CLASSIFIED_DEPTH = 32


def register(sub) -> None:
    p = add_command(sub, "shrinkage", cmd_shrinkage)
    add_options(p, "depth", "eta", "wstar", "digits", "json", "plot", help={
        "eta": "noise level eta (> 0), exact decimal",
        "wstar": "target w* (one coordinate), exact decimal; its sign picks the sign patterns of the critical points",
        "plot": "also write a plot of lambda against |w*| for L = 2..6 (this eta, thresholds marked, this case "
                "starred) to PATH (PNG; SVG alongside)"})

    q = add_command(sub, "threshold", cmd_threshold)
    add_options(q, "depth", "eta", "digits", "json", help={"eta": "noise level eta (> 0), exact decimal"})


def _s(x, digits):
    """``x`` as a decimal string with ``digits`` significant digits."""
    return mpmath.nstr(x, digits)


def _s_dir(x, digits, down: bool) -> str:
    """``x`` (an mpf) rounded toward -inf (``down``) or +inf to ``digits`` significant decimal digits.

    Enclosure end points are printed outward, so the printed interval still contains the root.
    """
    import decimal

    q = S.to_fraction(x, "x")
    with decimal.localcontext() as ctx:
        ctx.prec = digits
        ctx.rounding = decimal.ROUND_FLOOR if down else decimal.ROUND_CEILING
        return str(decimal.Decimal(q.numerator) / decimal.Decimal(q.denominator))


def _args(args, max_depth):
    L = checked_depth(args.depth, max_depth)
    digits = check_int(args.digits, "digits", minimum=5, maximum=MAX_DIGITS)
    eta = parse_decimal(args.eta, "eta", max_exponent=MAX_DECIMAL_EXPONENT)
    if eta <= 0:
        raise ValueError(f"eta must be > 0, got {args.eta!r}")
    return L, digits, eta


def _critical_points(L, eta, w, r) -> dict:
    """Count and classify one coordinate's critical points: the zero point and ``2^(L-1)`` sign patterns per root."""
    patterns = 2 ** (L - 1)
    names = ["double"] if len(r.lambdas) == 1 and r.multiplicities[0] == 2 else (
        ["larger"] if len(r.lambdas) == 1 else ["smaller", "larger"][:len(r.lambdas)])
    out = {"count": 1 + len(r.lambdas) * patterns, "sign_patterns_per_root": patterns,
           "note": "one coordinate; for d coordinates the critical set is the product"}
    if L > MAX_CLASSIFIED_DEPTH:
        out.update({"types": None, "by_root": {"zero": {"count": 1, "kind": None},
                                               **{n: {"count": patterns, "kind": None} for n in names}},
                    "classified": False})
        out["note"] += f"; types are classified for depth <= {MAX_CLASSIFIED_DEPTH} (high-precision Hessians)"
        return out
    kinds = coordinate_root_kinds(L, eta, w, digits=60)
    by_root = {"zero": {"count": 1, "kind": kinds[0][1]}}
    for (_, kind, _), name in zip(kinds[1:], names):
        by_root[name] = {"count": patterns, "kind": kind}
    types = Counter()
    for entry in by_root.values():
        types[entry["kind"]] += entry["count"]
    out.update({"types": dict(types), "by_root": by_root, "classified": True})
    return out


def cmd_shrinkage(args) -> int:
    """Certified shrinkage factors and critical points of one coordinate (Theorem 3.1(b)).

    Nonzero shrinkage factors lambda of Theorem 3.1(b): roots in (0,1) of lambda^2 -
    lambda^((L-2)/(L-1)) + eta^2 |w*|^(-2/L) = 0 (eq 13), equivalently positive roots a = lambda
    |w*|^(1/L) of (a^2+eta^2)^(L-1) - |w*| a^(L-2). The regime against the threshold tau_L(eta)
    (eq 14) is decided exactly; every root comes with an interval proven to contain exactly one
    root. Also counts and classifies the critical points of L_R for this coordinate.
    """
    L, digits, eta = _args(args, MAX_ROOT_DEPTH)
    w = parse_decimal(args.wstar, "wstar", max_exponent=MAX_DECIMAL_EXPONENT)
    plot = read_plot(args)
    if plot and (L > MAX_CLASSIFIED_DEPTH or not 1e-300 < float(w.copy_abs()) < 1e300 or not 1e-100 < float(eta) < 1e100):
        raise ValueError(f"plot: drawn for depth <= {MAX_CLASSIFIED_DEPTH}, 1e-100 < eta < 1e100 and "
                         "1e-300 < |w*| < 1e300 (a float scale)")
    r = S.shrinkage_roots(L, eta, w.copy_abs(), digits=digits)  # copy_abs: exact (abs() rounds to 28 digits)
    with mpmath.workdps(digits + 5):
        out = {
            "depth": L, "eta": str(eta), "wstar": str(w), "digits": digits,
            "threshold": _s(r.threshold, digits), "regime": r.regime,
            "lambdas": [_s(x, digits) for x in r.lambdas],
            "roots_a": [_s(x, digits) for x in r.roots_a],
            "enclosures": [[_s_dir(lo, digits + 3, True), _s_dir(hi, digits + 3, False)] for lo, hi in r.enclosures],
            "multiplicities": r.multiplicities,
            "certificate": r.certificate,
        }
    out["critical_points"] = _critical_points(L, eta, w, r)
    kinds = out["critical_points"]["types"] or {}
    if plot:
        from ..figures.landscape import plot_shrinkage_lambda

        depths = sorted(set([2, 3, 4, 5, 6, L]))
        paths = plot_shrinkage_lambda(plot, eta=str(eta), depths=depths,
                                      highlight=(L, float(w.copy_abs()), r.lambdas))
        out["plot"] = [str(p) for p in paths]
    if args.json:
        dump_json(out)
        return 0
    print(f"depth L = {L}, eta = {eta}, w* = {w}  ({digits} digits)")
    print(f"threshold tau_L(eta) = {out['threshold']}   regime: |w*| {out['regime']} the threshold")
    if out["lambdas"]:
        rows = [[i + 1, lam, a, f"[{lo}, {hi}]", m] for i, (lam, a, (lo, hi), m) in
                enumerate(zip(out["lambdas"], out["roots_a"], out["enclosures"], out["multiplicities"]))]
        print(table(rows, ["#", "lambda", "a = lambda |w*|^(1/L)", "certified enclosure of lambda", "mult"]))
    else:
        print("no nonzero shrinkage factor: every critical point has this coordinate = 0")
    print(f"certificate: {out['certificate']}")
    print(f"critical points (this coordinate): {out['critical_points']['count']}  "
          + (", ".join(f"{k}: {v}" for k, v in sorted(kinds.items())) if kinds else
             f"(classified for depth <= {MAX_CLASSIFIED_DEPTH})"))
    if plot:
        print("plot: " + ", ".join(out["plot"]))
    return 0


def _exact_power_text(L: int) -> str:
    """``tau_L^2 / eta^(2L) = (2(L-1))^(2(L-1)) / (L^L (L-2)^(L-2))`` exactly: the reduced fraction when it is
    short (at most 200 digits), else the power form (its digits would run to thousands)."""
    if L == 2:
        return "1"
    if 2 * (L - 1) * math.log10(2 * (L - 1)) <= 200:
        return str(S.threshold_exact_power(L))
    return f"{2 * (L - 1)}^{2 * (L - 1)} / ({L}^{L} * {L - 2}^{L - 2})"


def cmd_threshold(args) -> int:
    """The threshold tau_L(eta) of eq 14 at any precision.

    tau_L(eta) = eta^L (2(L-1))^(L-1) / (L^(L/2) (L-2)^((L-2)/2)) (eq 14), tau_2 = eta^2; also
    the double-root location a_c = eta sqrt((L-2)/L) and lambda_c.
    """
    L, digits, eta = _args(args, MAX_THRESHOLD_DEPTH)
    t = S.threshold(L, eta, digits=digits)
    ac, lc = S.double_root(L, eta, digits=digits)
    with mpmath.workdps(digits + 5):
        out = {"depth": L, "eta": str(eta), "digits": digits, "threshold": _s(t, digits),
               "double_root_a": _s(ac, digits), "double_root_lambda": _s(lc, digits) if L > 2 else "0",
               "threshold_squared_over_eta_2L": _exact_power_text(L)}
    if args.json:
        dump_json(out)
        return 0
    print(f"tau_{L}({eta}) = {out['threshold']}")
    print(f"double root at the threshold: a_c = {out['double_root_a']}, lambda_c = {out['double_root_lambda']}")
    print(f"tau^2 / eta^(2L) = {out['threshold_squared_over_eta_2L']} (exact)")
    return 0
