"""``ssam-verify evaluate``: the losses and the gradient at one point."""
from __future__ import annotations

import numpy as np

from numeric import model

from ..options import add_command, add_options, read_depth, read_eta, read_weights, read_wstar
from ..output import dump_json, table


def register(sub) -> None:
    p = add_command(sub, "evaluate", cmd_evaluate)
    add_options(p, "depth", "eta", "wstar", "weights", "json")


def cmd_evaluate(args) -> int:
    """Evaluate L, R, L_R, S_avg and grad L_R at given weights.

    Evaluate the loss L (eqs 2-3, no factor 1/2), the S-SAM regularizer R (eq 7), the
    marginalized loss L_R = E[L(W+G)] (Lemma 2.2), the average sharpness (eq 9) and the gradient
    of L_R at one point of a depth-L diagonal network.
    """
    L, eta, wstar = read_depth(args), read_eta(args), read_wstar(args)
    W = read_weights(args, L, wstar.size)
    out = {
        "depth": L, "width": int(W.shape[1]), "eta": eta,
        "loss": float(model.loss(W, wstar)),
        "regularizer": float(model.regularizer(W, eta)),
        "marginalized_loss": float(model.marginalized_loss(W, wstar, eta)),
        "average_sharpness": float(model.average_sharpness(W, wstar, eta)),
        "gradient": model.grad_marginalized_loss(W, wstar, eta).tolist(),
    }
    values = [out[k] for k in ("loss", "regularizer", "marginalized_loss", "average_sharpness")]
    if not (np.all(np.isfinite(values)) and np.all(np.isfinite(out["gradient"]))):
        raise ValueError("weights/wstar: the losses or the gradient overflow float64 at this point")
    if args.json:
        dump_json(out)
        return 0
    rows = [[k, f"{out[k]:.12g}"] for k in ("loss", "regularizer", "marginalized_loss", "average_sharpness")]
    print(table(rows, ["quantity", "value"]))
    print("gradient of L_R (rows = layers, layer 1 first):")
    for l, row in enumerate(out["gradient"], 1):
        print(f"  W_{l}: " + ", ".join(f"{v:.12g}" for v in row))
    return 0
