"""Symbolic derivations for the dynamics of deep linear networks (Marion & Chizat, seed ``003``).

Structure is exploited throughout: the gradient of the risk is rank one (eq 5), the covariance enters through
its eigenvalues (Lemma 8 is a per-eigendirection identity), and the scalar chain is the one-coordinate model.

* :func:`symbolic_network`: layers of symbols, ``w = W_1^T ... W_L^T p`` (eq 3) and the gradient of any loss of
  ``w`` by the chain rule, differentiated from the polynomial ``w`` (not taken from eq 5).
* :func:`balancedness_derivative`: ``d/dt (W_{k+1}^T W_{k+1} - W_k W_k^T)`` along ``dW/dt = -grad R``, expanded
  (Lemma 1: identically zero), and the same for wrong variants (not zero).
* :func:`lemma8_gap`: ``||grad R(w)||^2 - 4 lambda_min (R(w) - R_min) = 4 sum_i lambda_i (lambda_i - lambda_min)
  x_i^2``.
* :func:`saddle_orders`: the lowest power of ``s`` in ``grad_{W_k} R(s Z)`` (``L - 1`` for every ``k``) and in
  ``R(s Z) - R_min`` (``0``): the PL ratio near the saddle scales as ``s^{2(L-1)}`` (Theorem 3's constant).
* :func:`pl_decay_and_path_length`: Lemma 7: ``y' = -mu y`` gives ``y(t) = y_0 e^{-mu t}`` (the comparison bound);
  the path length ``int_0^oo sqrt(y_0) e^{-mu t / 2} dt = 2 sqrt(y_0) / mu`` (Theorem 4's bound on the movement).
* :func:`residual_movement_bound`, :func:`residual_sharpness_factor`: Theorem 4's eq 8 and Corollary 3 with
  explicit constants in terms of the extreme singular values ``U``, ``c`` of the partial products.
* :func:`end_to_end_gram`: ``J J^T = sum_k ||l_k||^2 A_k^T A_k`` for the end-to-end map (Corollary 3's step).
* :func:`chain_descent_linearization`: the gradient-descent map of the scalar chain, its Jacobian at the balanced
  minimizer (eigenvalues ``1`` and ``1 - alpha S``, ``S = 2 L a^{2-2/L}``) and the critical step ``2 / S``.
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

__all__ = ["symbolic_network", "balancedness_derivative", "lemma8_gap", "saddle_orders",
           "pl_decay_and_path_length", "residual_movement_bound", "residual_sharpness_factor",
           "chain_descent_linearization", "end_to_end_gram", "formulas"]


def symbolic_network(d: int, widths, general_p: bool = False) -> dict:
    """See :func:`_symbolic_network` (cached: the networks are immutable)."""
    return dict(_symbolic_network(int(d), tuple(int(m) for m in widths), bool(general_p)))


@lru_cache(maxsize=16)
def _symbolic_network(d: int, widths: tuple, general_p: bool) -> tuple:
    """``{"layers", "p", "w", "g", "grads"}`` with symbolic entries.

    ``grads[k]`` is the gradient of *any* loss ``f(w)`` of the end-to-end vector ``w = W_1^T ... W_L^T p`` by
    the chain rule, ``d f / d W_k[a, b] = sum_i g_i d w_i / d W_k[a, b]`` with ``g_i = d f / d w_i`` kept as
    symbols and ``d w_i / d W_k[a, b]`` differentiated from the polynomial ``w_i``: Lemma 1 holds for every such
    loss, the risk ``(w - w*)^T Sigma (w - w*)`` (``g = 2 Sigma (w - w*)``, eq 6) included.
    """
    if d < 1 or not widths or any(m < 1 for m in widths):
        raise ValueError(f"d and widths must be >= 1, got d={d}, widths={widths}")
    layers, previous = [], d
    for k, m in enumerate(widths, start=1):
        layers.append(sp.Matrix(m, previous, lambda i, j, k=k: sp.Symbol(f"W{k}_{i}{j}", real=True)))
        previous = m
    p = (sp.Matrix(previous, 1, lambda i, _j: sp.Symbol(f"p_{i}", real=True)) if general_p
         else sp.ones(previous, 1))
    w = p
    for W in reversed(layers):
        w = W.T * w
    w = w.applyfunc(sp.expand)
    g = sp.Matrix(d, 1, lambda i, _j: sp.Symbol(f"g_{i}", real=True))
    grads = [W.applyfunc(lambda x: sp.expand(sum(g[i] * sp.diff(w[i], x) for i in range(d)))) for W in layers]
    immutable = sp.ImmutableMatrix
    return (("layers", tuple(immutable(W) for W in layers)), ("p", immutable(p)), ("w", immutable(w)),
            ("g", immutable(g)), ("grads", tuple(immutable(G) for G in grads)))


def balancedness_derivative(d: int, widths, variant: str = "lemma 1", general_p: bool = False) -> list:
    """Expanded ``dA_k/dt`` along ``dW_k/dt = -grad_{W_k} f`` for each ``k`` where the shapes allow.

    ``variant``: ``"lemma 1"`` (``A_k = W_{k+1}^T W_{k+1} - W_k W_k^T``), ``"no transposes"``
    (``W_{k+1} W_{k+1}^T - W_k^T W_k``), ``"transposes swapped on one side"`` (``W_{k+1}^T W_{k+1} - W_k^T W_k``).
    """
    net = symbolic_network(d, widths, general_p=general_p)
    Ws, Gs = net["layers"], net["grads"]

    def quadratic(W, G, kind):
        # d/dt (W^T W) = -(G^T W + W^T G),  d/dt (W W^T) = -(G W^T + W G^T)
        return -(G.T * W + W.T * G) if kind == "TW" else -(G * W.T + W * G.T)

    kinds = {"lemma 1": ("TW", "WT"), "no transposes": ("WT", "TW"), "transposes swapped on one side": ("TW", "TW")}
    if variant not in kinds:
        raise ValueError(f"variant must be one of {sorted(kinds)}, got {variant!r}")
    left_kind, right_kind = kinds[variant]
    out = []
    for k in range(len(Ws) - 1):
        left = quadratic(Ws[k + 1], Gs[k + 1], left_kind)
        right = quadratic(Ws[k], Gs[k], right_kind)
        if left.shape == right.shape:
            out.append((left - right).applyfunc(sp.expand))
    return out


def lemma8_gap(dim: int):
    """``(gap, nonnegative_form)`` in the eigenbasis of ``Sigma`` (eigenvalues ``lambda_min + delta_i``,
    ``delta_i >= 0``,
    ``x = w - w*`` in that basis): ``gap = ||2 Sigma x||^2 - 4 lambda_min x^T Sigma x`` and its expansion, a polynomial
    with nonnegative coefficients in ``lambda_min, delta_i`` times squares (Lemma 8)."""
    lam = sp.Symbol("lambda_min", positive=True)
    delta = sp.symbols(f"delta1:{dim + 1}", nonnegative=True)
    x = sp.symbols(f"x1:{dim + 1}", real=True)
    eig = [lam + di for di in delta]
    grad_sq = sum((2 * e * xi) ** 2 for e, xi in zip(eig, x))
    excess = sum(e * xi ** 2 for e, xi in zip(eig, x))
    gap = sp.expand(grad_sq - 4 * lam * excess)
    closed = sp.expand(4 * sum(e * di * xi ** 2 for e, di, xi in zip(eig, delta, x)))
    return gap, closed


def saddle_orders(d: int, widths) -> dict:
    """Powers of ``s`` in ``grad_{W_k} R(s Z)`` and ``R(s Z) - R_min`` near the saddle ``W = 0``.

    Every ``d w_i / d W_k[a, b]`` is verified to be a homogeneous polynomial of degree ``L - 1`` in the entries of
    the layers (``0`` or degree ``L - 1``), and ``w`` one of degree ``L``.  With ``g(s Z) = 2 Sigma (s^L w(Z) - w*)
    = -2 Sigma w* + O(s^L)`` (eq 6), ``grad_{W_k} R(s Z) = s^{L-1} (chain rule with g(0)) + O(s^{2L-1})`` and
    ``R(s Z) - R_min = w*^T Sigma w* + O(s^L)``: the PL ratio is ``s^{2(L-1)} (c(Z) + O(s^L))``.
    Returns ``{"gradient_orders", "product_order", "ratio_exponent", "correction_order"}``.
    """
    net = symbolic_network(d, widths)
    entries = [x for W in net["layers"] for x in W]
    L = len(net["layers"])

    def order(expr):
        if expr == 0:
            return None
        poly = sp.Poly(expr, *entries)
        if not poly.is_homogeneous:
            raise ArithmeticError(f"{expr} is not homogeneous in the layer entries")
        return poly.homogeneous_order()

    product_orders = {order(wi) for wi in net["w"]} - {None}
    gradient_orders = []
    for W in net["layers"]:
        orders = {order(sp.diff(wi, x)) for wi in net["w"] for x in W} - {None}
        if len(orders) != 1:
            raise ArithmeticError(f"derivatives of w have mixed orders {orders}")
        gradient_orders.append(orders.pop())
    if len(product_orders) != 1:
        raise ArithmeticError(f"w has mixed orders {product_orders}")
    product_order = product_orders.pop()
    return {"gradient_orders": gradient_orders, "product_order": product_order, "depth": L,
            "ratio_exponent": 2 * min(gradient_orders), "correction_order": product_order}


def pl_decay_and_path_length():
    """``(solution of y' = -mu y, y(0) = y0, path length int_0^oo sqrt(y(t)) dt)`` (Lemma 7, Thm 4).

    Separation of variables gives ``y = y0 e^{-mu t}``; the path length uses the antiderivative
    ``F = -2 sqrt(y0) e^{-mu t / 2} / mu`` of ``sqrt(y)``.  Both are verified by differentiation (the ODE with its
    initial value, ``F' = sqrt(y)``) and ``F(oo) - F(0)`` is evaluated by SymPy (``mu > 0``); ``ArithmeticError`` if a
    verification fails.  (Differentiation is used instead of ``dsolve``/``integrate``, 20x faster here.)
    """
    t, mu, y0 = sp.symbols("t mu y_0", positive=True)
    solution = y0 * sp.exp(-mu * t)
    antiderivative = -2 * sp.sqrt(y0) * sp.exp(-mu * t / 2) / mu
    if sp.simplify(sp.diff(solution, t) + mu * solution) != 0 or solution.subs(t, 0) != y0:
        raise ArithmeticError("y0 exp(-mu t) does not solve y' = -mu y, y(0) = y0")
    if sp.simplify(sp.diff(antiderivative, t) - sp.sqrt(solution)) != 0:
        raise ArithmeticError("the antiderivative of sqrt(y) is wrong")
    path = antiderivative.subs(t, sp.oo) - antiderivative.subs(t, 0)  # exp(-oo) = 0 for mu > 0
    return solution, sp.simplify(path)


def residual_movement_bound():
    """Theorem 4, eq 8 with explicit constants: ``||W_k(oo) - W_k(0)||_F <= U^2 sqrt(Lambda (R_0 - R_min)) /
    (L ||p|| lambda c^4)``.

    ``||grad_{W_k}|| <= U^2 ||p|| ||g||``, ``||g|| = 2 ||Sigma x|| <= 2 sqrt(Lambda) sqrt(R - R_min)``; the PL
    constant ``mu = 4 L lambda ||p||^2 c^4`` (eq 37) and :func:`pl_decay_and_path_length` bound the integral.
    ``U >= 1`` bounds every partial product's norm, ``c <= 1`` their smallest singular value, along the flow.
    """
    U, c, Lam, lam, R0, p, L = sp.symbols("U c Lambda lambda R_0 p_norm L", positive=True)
    _, path = pl_decay_and_path_length()
    mu = 4 * L * lam * p ** 2 * c ** 4
    bound = U ** 2 * p * 2 * sp.sqrt(Lam) * path.subs({sp.Symbol("y_0", positive=True): R0,
                                                       sp.Symbol("mu", positive=True): mu})
    return sp.simplify(bound), mu


def residual_sharpness_factor():
    """Corollary 3 with explicit constants: at a minimizer, ``S <= 2 Lambda L ||p||^2 U^4`` (``S = 2 lambda_max(J^T
    Sigma J)``, ``J J^T = sum_k ||l_k||^2 A_k^T A_k``), the lower bound is ``2 L q a^{2-2/L}`` (``q = u^T Sigma u``),
    so ``S / lower <= (Lambda / q) U^4 ||p||^2 / a^{2-2/L}``; returns ``(factor, upper, lower)``."""
    U, Lam, q, a, p, L = sp.symbols("U Lambda q a p_norm L", positive=True)
    upper = 2 * Lam * L * p ** 2 * U ** 4
    lower = 2 * L * q * a ** (2 - 2 / L)
    return sp.simplify(upper / lower), upper, lower


def chain_descent_linearization(L: int):
    """``(moving eigenvalue, sharpness, critical step)`` of GD ``w <- w - alpha grad (a - prod w_l)^2`` on the scalar
    chain at its balanced minimizer ``w_l = a^{1/L}`` (the model of every coordinate and of Sec 3's example).

    The Jacobian ``J`` of the GD map is differentiated from the map itself; ``J 1 = (1 - alpha S) 1`` and
    ``J (e_l - e_{l+1}) = e_l - e_{l+1}`` (the directions along the minimizers) are verified, so the spectrum is
    ``{1 - alpha S, 1 (L - 1 times)}``; ``|1 - alpha S| < 1`` iff ``(1 - alpha S)^2 - 1 < 0``, a quadratic in
    ``alpha`` negative between its roots
    ``0`` and ``2 / S``.
    Raises ``ArithmeticError`` if the Jacobian does not have that eigenstructure.
    """
    if L < 2:
        raise ValueError(f"L must be >= 2, got {L}")
    a, b, alpha = sp.symbols("a b alpha", positive=True)  # b = a^{1/L}: polynomial arithmetic throughout
    w = sp.symbols(f"w1:{L + 1}", positive=True)
    loss = (b ** L - sp.Mul(*w)) ** 2
    step = sp.Matrix([wi - alpha * sp.diff(loss, wi) for wi in w])
    jacobian = step.jacobian(w).subs({wi: b for wi in w}).applyfunc(sp.expand)
    ones = sp.ones(L, 1)
    moving = sp.expand((jacobian * ones)[0])
    if (jacobian * ones - moving * ones).applyfunc(sp.expand) != sp.zeros(L, 1):
        raise ArithmeticError("1 is not an eigenvector of the GD Jacobian")
    for l in range(L - 1):
        v = sp.zeros(L, 1)
        v[l], v[l + 1] = 1, -1
        if (jacobian * v - v).applyfunc(sp.expand) != sp.zeros(L, 1):
            raise ArithmeticError("a direction along the minimizers is not fixed by the GD Jacobian")
    sharpness = sp.expand((1 - moving) / alpha)
    # |1 - alpha S| < 1  <=>  (1 - alpha S)^2 - 1 < 0: a quadratic in alpha, positive leading coefficient S^2,
    # negative exactly between its roots 0 and 2/S
    x = sp.Symbol("x", real=True)
    roots = sp.solve(sp.expand((1 - x * sharpness) ** 2 - 1), x)
    nonzero = [r for r in roots if r != 0]
    if len(roots) != 2 or len(nonzero) != 1:
        raise ArithmeticError(f"unexpected stability boundary {roots}")
    to_a = {b: a ** sp.Rational(1, L)}
    return moving.subs(to_a), sp.powsimp(sharpness.subs(to_a)), sp.powsimp(nonzero[0].subs(to_a))


def end_to_end_gram(d: int, widths, general_p: bool = True):
    """``(J J^T, sum_k ||l_k||^2 A_k^T A_k)`` for ``w = W_1^T ... W_L^T p``, ``J = dw / d(all weights)`` (the
    Hessian of the risk at a minimizer is ``2 J^T Sigma J``, whose top eigenvalue is that of
    ``2 Sigma^{1/2} J J^T Sigma^{1/2}``): ``J J^T`` by differentiation, the right side from
    ``l_k = W_{k+1}^T ... W_L^T p``, ``A_k = W_{k-1} ... W_1`` (Corollary 3's bound
    ``S <= 2 Lambda sum_k ||l_k||^2 ||A_k||^2``)."""
    net = symbolic_network(d, widths, general_p=general_p)
    entries = [x for W in net["layers"] for x in W]
    J = net["w"].jacobian(entries)
    L = len(net["layers"])
    total = sp.zeros(d, d)
    for k in range(L):
        left = net["p"]
        for W in reversed(net["layers"][k + 1:]):
            left = W.T * left
        below = sp.eye(d)
        for W in net["layers"][:k]:
            below = W * below
        total += (left.T * left)[0, 0] * below.T * below
    return (J * J.T).applyfunc(sp.expand), total.applyfunc(sp.expand)


def formulas():
    """``(claim_id, equation, name, expr)`` for the LaTeX export."""
    L, s = sp.symbols("L s", positive=True)
    decay, path = pl_decay_and_path_length()
    movement, mu = residual_movement_bound()
    factor, _, _ = residual_sharpness_factor()
    _, sharpness, critical = chain_descent_linearization(3)
    n1, n2, t1, t2, sigma2 = sp.symbols("n_1 n_2 t_1 t_2 sigma_2", positive=True)
    net = symbolic_network(1, [2, 1])
    W1, W2 = net["layers"]
    return [
        ("mc-lemma-1", "MC Lemma 1", "conserved A_1 = W_2^T W_2 - W_1 W_1^T (d = 1, widths 2, 1)",
         sp.ImmutableMatrix(W2.T * W2 - W1 * W1.T)),
        ("mc-lemma-2", "MC Lemma 2", "rank-one defect bound of layer 1, L = 3 (n_j = ||A_j||_2, t_j = tr A_j)",
         n1 - t1 + n2 - t2),
        ("mc-lemma-2", "MC Lemma 2", "alignment bound of layers 1, 2, L = 3", (2 * n1 + n2 - t2) / sigma2 ** 2),
        ("mc-theorem-3", "MC Lemma 8", "||grad R||^2 - 4 lambda_min (R - R_min) in the eigenbasis", lemma8_gap(2)[1]),
        ("mc-theorem-3", "MC Thm 3", "order of the PL constant in the initialization scale", s ** (2 * (L - 1))),
        ("mc-theorem-4", "MC Lemma 7", "PL decay of the excess risk", decay),
        ("mc-theorem-4", "MC Thm 4", "path length of the flow", path),
        ("mc-theorem-4", "MC eq 37", "PL constant of the residual network", mu),
        ("mc-theorem-4", "MC eq 8", "movement of each layer (explicit constant)", movement),
        ("mc-corollary-3", "MC Cor 3", "sharpness over the lower bound (explicit constant)", factor),
        ("mc-critical-step", "MC Sec 1", "sharpness of the balanced chain, L = 3", sharpness),
        ("mc-critical-step", "MC Sec 1", "critical step of GD, L = 3", critical),
    ]
