"""Hand-derived gradients by the chain rule (lectures 000 and 002; topics 7-10).

Each function below is a worked example of the lectures, written out as the
chain rule prescribes, "downstream gradient = upstream gradient x local
gradient", so that a computational graph is not needed to evaluate it:

* ``f(x, y, z) = (x + y) z`` with ``q = x + y`` (lecture 000);
* ``d/dx sin(x^2) = cos(x^2) 2x`` (lecture 002);
* ``h(f(x), g(x)) = f g`` with ``f = sin x``, ``g = x^2``: the multivariate chain
  rule adds one product of local gradients per path from x to h (lecture 000);
* ``L(w1, w2) = (f2(w2 f1(w1 x)) - y)^2`` with ``f1 = tanh``, ``f2 = sigma`` (lecture 002);
* the 2-2-1 network of lecture 002, ``h_i = f(...)``, ``o_1 = g(w5 h1 + w6 h2 + b3)``,
  ``L = (o_1 - y)^2``, with ``f = tanh`` and ``g = sigma``;
* a gradient check: the relative error between an analytic gradient and central
  differences (topic 10).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from reference.gradcheck import numerical_gradient, relative_error


def _sigmoid(s: float | np.ndarray) -> float | np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * s))


def add_mul_gradients(x: float, y: float, z: float) -> tuple[float, float, float]:
    """``(df/dx, df/dy, df/dz)`` for ``f = q z``, ``q = x + y``: ``(z, z, x + y)``."""
    q = x + y
    df_dq, df_dz = z, q          # local gradients of the product
    return float(df_dq * 1.0), float(df_dq * 1.0), float(df_dz)


def sin_square_derivative(x: np.ndarray) -> np.ndarray:
    """``d sin(x^2)/dx = cos(x^2) 2x``, elementwise; float32 stays float32."""
    x = np.asarray(x)
    return np.cos(x * x) * (2 * x)


def sum_over_paths(x: np.ndarray) -> np.ndarray:
    """``dh/dx`` for ``h = f g``, ``f = sin x``, ``g = x^2``: one term per path,
    ``dh/df df/dx + dh/dg dg/dx = g cos x + f 2x``, elementwise."""
    x = np.asarray(x)
    return (x * x) * np.cos(x) + np.sin(x) * (2 * x)


def two_weight_loss(w1: float, w2: float, x: float, y: float) -> float:
    """``L = (f2(w2 f1(w1 x)) - y)^2`` with ``f1 = tanh``, ``f2 = sigma``."""
    return float((_sigmoid(w2 * np.tanh(w1 * x)) - y) ** 2)


def two_weight_gradients(w1: float, w2: float, x: float, y: float) -> tuple[float, float]:
    """``(dL/dw1, dL/dw2)`` of :func:`two_weight_loss`, by the chain rule."""
    f1 = np.tanh(w1 * x)
    f2 = _sigmoid(w2 * f1)
    dl_ds2 = 2.0 * (f2 - y) * f2 * (1.0 - f2)            # dL/df2 * df2/d(w2 f1)
    dl_dw2 = dl_ds2 * f1
    dl_dw1 = dl_ds2 * w2 * (1.0 - f1**2) * x
    return float(dl_dw1), float(dl_dw2)


def network_loss(w: np.ndarray, b: np.ndarray, x: np.ndarray, y: float) -> float:
    """L of lecture 002's 2-2-1 network: ``w = (w1..w6)``, ``b = (b1..b3)``, ``x = (x1, x2)``."""
    h1 = np.tanh(w[0] * x[0] + w[1] * x[1] + b[0])
    h2 = np.tanh(w[2] * x[0] + w[3] * x[1] + b[1])
    o1 = _sigmoid(w[4] * h1 + w[5] * h2 + b[2])
    return float((o1 - y) ** 2)


def network_gradients(w: np.ndarray, b: np.ndarray, x: np.ndarray,
                      y: float) -> tuple[np.ndarray, np.ndarray]:
    """``(dL/dw, dL/db)`` of :func:`network_loss`, shapes (6,) and (3,), in float64."""
    w, b, x = (np.asarray(a, dtype=np.float64) for a in (w, b, x))
    h1 = np.tanh(w[0] * x[0] + w[1] * x[1] + b[0])
    h2 = np.tanh(w[2] * x[0] + w[3] * x[1] + b[1])
    o1 = _sigmoid(w[4] * h1 + w[5] * h2 + b[2])
    delta_o = 2.0 * (o1 - y) * o1 * (1.0 - o1)           # dL/do1 * g'(s3)
    delta_1 = delta_o * w[4] * (1.0 - h1**2)             # ... * w5 * f'(s1)
    delta_2 = delta_o * w[5] * (1.0 - h2**2)             # ... * w6 * f'(s2)
    dw = np.array([delta_1 * x[0], delta_1 * x[1], delta_2 * x[0], delta_2 * x[1],
                   delta_o * h1, delta_o * h2])
    return dw, np.array([delta_1, delta_2, delta_o])


def gradient_check(f: Callable[[np.ndarray], float], grad_f: Callable[[np.ndarray], np.ndarray],
                   x: np.ndarray, h: float = 1e-5) -> float:
    """Relative error between ``grad_f(x)`` and central differences of the scalar ``f`` at ``x``."""
    return relative_error(grad_f(np.array(x, dtype=np.float64)), numerical_gradient(f, x, h=h))
