"""Gradient-based optimizers and learning-rate schedules (lectures 001, 003, 004; topics 21-24, 27).

Shaped like ``torch.optim``: each update rule is written once, as a pure step
function on arrays (``momentum_step(theta, g, v, lr, mu) -> (theta, v)``), and
each optimizer is a small class built from a list of
:class:`~reference.parameter.Parameter` and its hyperparameters (the published
defaults) whose :meth:`Optimizer.step` calls its rule on every parameter's
``value`` and ``grad``. Notation of the lectures:

    theta   a parameter (``p.value``)          g      its gradient (``p.grad``)
    alpha   the learning rate (``lr``)         mu     the momentum parameter
    v       the velocity                       G      accumulated squared gradients
    gamma   RMSProp's decay                    eps    a small number, outside the root
    beta1, beta2, m, v, t                      Adam's decays, moments and step count
    kappa   the weight-decay coefficient (``weight_decay``)

A step function modifies none of its arguments: it returns the new theta and
the new state; its defaults are its optimizer's. It computes in theta's float
dtype (float32 stays float32, integers become float64), the gradient and the
state taken in that dtype too.

An optimizer updates in place: ``p.value`` keeps its identity and dtype, and
the state it keeps per parameter (``v``, ``G``, ``m``) lives in lists aligned
with ``params``, in the parameter's dtype (each step puts the rule's new state
arrays there). Hyperparameters are stored as
Python floats, which numpy never lets promote a float32 array.

A schedule is a plain function of the step (or epoch) index ``t`` that returns
a learning rate; the training loop assigns it: ``opt.lr = cosine_schedule(t, 0.1, 50)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import numpy as np
from numpy.typing import ArrayLike

from reference import as_float
from reference.parameter import Parameter

# -- the update rules, one pure step function each -------------------------------------------


def _in_dtype_of(theta: np.ndarray, *arrays: ArrayLike) -> list[np.ndarray]:
    """The gradient and state arrays in theta's dtype (no copy where they have it)."""
    return [np.asarray(a, dtype=theta.dtype) for a in arrays]


def sgd_step(theta: ArrayLike, g: ArrayLike, lr: float, weight_decay: float = 0.0
             ) -> np.ndarray:
    """(Stochastic) gradient descent, lecture 001: theta <- theta - alpha g.

    With ``weight_decay`` kappa > 0, the decay of lecture 003 comes first:

        theta <- (1 - alpha kappa) theta - alpha g,

    which is exactly gradient descent on the loss plus (kappa / 2) ||theta||^2.

    Returns:
        the new theta, theta's shape.
    """
    theta = as_float(theta)
    (g,) = _in_dtype_of(theta, g)
    if weight_decay:
        theta = (1.0 - lr * weight_decay) * theta
    return theta - lr * g


def momentum_step(theta: ArrayLike, g: ArrayLike, v: ArrayLike, lr: float, mu: float = 0.9
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Gradient descent with momentum, lecture 001:

        v     <- mu v - alpha g
        theta <- theta + v

    Returns:
        ``(theta, v)``, the new parameter and velocity.
    """
    theta = as_float(theta)
    g, v = _in_dtype_of(theta, g, v)
    v = mu * v - lr * g
    return theta + v, v


def look_ahead(theta: ArrayLike, v: ArrayLike, mu: float) -> np.ndarray:
    """Nesterov's look-ahead point theta + mu v (lecture 004): where momentum is about to
    carry theta, and where the gradient of the next step is taken."""
    theta = as_float(theta)
    (v,) = _in_dtype_of(theta, v)
    return theta + mu * v


def nesterov_step(theta: ArrayLike, v: ArrayLike, grad_fn: Callable[[np.ndarray], ArrayLike],
                  lr: float, mu: float) -> tuple[np.ndarray, np.ndarray]:
    """Nesterov momentum (lecture 004): momentum with the gradient taken at the look-ahead
    point,

        v     <- mu v - alpha grad L(theta + mu v)
        theta <- theta + v

    ``grad_fn(x)`` gives grad L(x); it is called once, at :func:`look_ahead`.

    Returns:
        ``(theta, v)``, the new parameter and velocity.
    """
    theta = as_float(theta)
    (v,) = _in_dtype_of(theta, v)
    (g,) = _in_dtype_of(theta, grad_fn(look_ahead(theta, v, mu)))
    v = mu * v - lr * g
    return theta + v, v


def adagrad_step(theta: ArrayLike, g: ArrayLike, G: ArrayLike, lr: float = 0.01,
                 eps: float = 1e-8) -> tuple[np.ndarray, np.ndarray]:
    """AdaGrad (Duchi, Hazan and Singer 2011; lectures 001, 004), elementwise:

        G     <- G + g^2
        theta <- theta - alpha g / (sqrt(G) + eps)

    Returns:
        ``(theta, G)``.
    """
    theta = as_float(theta)
    g, G = _in_dtype_of(theta, g, G)
    G = G + g * g
    return theta - lr * g / (np.sqrt(G) + eps), G


def rmsprop_step(theta: ArrayLike, g: ArrayLike, G: ArrayLike, lr: float = 0.001,
                 gamma: float = 0.9, eps: float = 1e-8) -> tuple[np.ndarray, np.ndarray]:
    """RMSProp (lectures 001, 004): AdaGrad with a moving average, elementwise:

        G     <- gamma G + (1 - gamma) g^2
        theta <- theta - alpha g / (sqrt(G) + eps)

    Returns:
        ``(theta, G)``.
    """
    theta = as_float(theta)
    g, G = _in_dtype_of(theta, g, G)
    G = gamma * G + (1.0 - gamma) * g * g
    return theta - lr * g / (np.sqrt(G) + eps), G


def adam_step(theta: ArrayLike, g: ArrayLike, m: ArrayLike, v: ArrayLike, t: int,
              lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
              weight_decay: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Adam (Kingma and Ba 2015; lecture 004), elementwise, with t incremented first:

        t     <- t + 1
        m     <- beta1 m + (1 - beta1) g            first moment
        v     <- beta2 v + (1 - beta2) g^2          second moment
        m_hat =  m / (1 - beta1^t)                  bias corrections
        v_hat =  v / (1 - beta2^t)
        theta <- theta - alpha m_hat / (sqrt(v_hat) + eps)

    ``t`` counts the steps taken before this one (0 before the first, which
    uses t = 1). ``weight_decay`` kappa is an L2 penalty *in the gradient*, as
    in ``torch.optim.Adam``: g <- g + kappa theta first. Lecture 003 shows why
    this is not weight decay for an adaptive method (the decay is divided by
    sqrt(v_hat) too); see :func:`adamw_step` for the decoupled form.

    Returns:
        ``(theta, m, v, t + 1)``.
    """
    theta = as_float(theta)
    g, m, v = _in_dtype_of(theta, g, m, v)
    if weight_decay:
        g = g + weight_decay * theta
    t = int(t) + 1
    m = beta1 * m + (1.0 - beta1) * g
    v = beta2 * v + (1.0 - beta2) * g * g
    m_hat = m / (1.0 - beta1**t)
    v_hat = v / (1.0 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v, t


def adamw_step(theta: ArrayLike, g: ArrayLike, m: ArrayLike, v: ArrayLike, t: int,
               lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
               weight_decay: float = 0.01) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Adam with decoupled weight decay (Loshchilov and Hutter 2019; lecture 003):

        theta <- (1 - alpha kappa) theta
        theta <- theta - alpha m_hat / (sqrt(v_hat) + eps)   Adam's step on the raw g

    Lecture 003 writes it theta <- (1 - lambda) theta + f(theta, grad E) with
    lambda = alpha kappa, against L2's theta <- theta + f(theta, grad E + kappa theta)
    (:func:`adam_step` with ``weight_decay``).

    Returns:
        ``(theta, m, v, t + 1)``.
    """
    theta = (1.0 - lr * weight_decay) * as_float(theta)
    return adam_step(theta, g, m, v, t, lr, beta1, beta2, eps)


# -- the optimizers: the rules above applied to every parameter ------------------------------


def _check_range(name: str, value: float, low: float, high: float, *,
                 include_high: bool = False) -> float:
    value = float(value)
    inside = low <= value <= high if include_high else low <= value < high
    if not inside:
        bracket = "]" if include_high else ")"
        raise ValueError(f"{name} must be in [{low}, {high}{bracket}, got {value}")
    return value


class Optimizer:
    """Base class: holds the parameters and the learning rate ``lr`` (alpha).

    ``lr`` may be reassigned between steps (that is how schedules act); it is
    kept as a Python float.
    """

    def __init__(self, params: Iterable[Parameter], lr: float) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError("the optimizer got an empty parameter list")
        for p in self.params:
            if not isinstance(p, Parameter):
                raise TypeError(f"expected Parameter objects, got {type(p).__name__}")
        self.lr = lr

    @property
    def lr(self) -> float:
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = _check_range("lr", value, 0.0, math.inf)

    def zero_grad(self) -> None:
        """Set every ``p.grad`` to zero, in place (see :meth:`Parameter.zero_grad`)."""
        for p in self.params:
            p.zero_grad()

    def step(self) -> None:
        """Update every ``p.value`` in place from its ``p.grad``."""
        raise NotImplementedError

    def _state(self) -> list[np.ndarray]:
        """One zero array per parameter, in the parameter's shape and dtype."""
        return [np.zeros_like(p.value) for p in self.params]


class SGD(Optimizer):
    """(Stochastic) gradient descent, :func:`sgd_step`: theta <- theta - alpha g.

    With ``weight_decay`` kappa > 0, parameters with ``regularize=True`` decay,
    theta <- (1 - alpha kappa) theta - alpha g (lecture 003). Biases
    (``regularize=False``) never decay; ``torch.optim.SGD`` decays every
    parameter it is given.
    """

    def __init__(self, params: Iterable[Parameter], lr: float,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.weight_decay = _check_range("weight_decay", weight_decay, 0.0, math.inf)

    def step(self) -> None:
        for p in self.params:
            decay = self.weight_decay if p.regularize else 0.0
            p.value[...] = sgd_step(p.value, p.grad, self.lr, decay)


class Momentum(Optimizer):
    """Gradient descent with momentum, :func:`momentum_step` (lecture 001):
    v <- mu v - alpha g, theta <- theta + v.

    ``v`` starts at zero. Note the sign: ``v`` points downhill, so it is the
    negative of the buffer of ``torch.optim.SGD`` (which stores mu b + g and
    subtracts alpha b); with a constant alpha the two give the same iterates.
    The default mu = 0.9 is the lectures' typical value; torch's ``momentum``
    defaults to 0.
    """

    def __init__(self, params: Iterable[Parameter], lr: float, mu: float = 0.9) -> None:
        super().__init__(params, lr)
        self.mu = _check_range("mu", mu, 0.0, 1.0, include_high=True)
        self.v = self._state()

    def step(self) -> None:
        for i, p in enumerate(self.params):
            p.value[...], self.v[i] = momentum_step(p.value, p.grad, self.v[i], self.lr, self.mu)


class Nesterov(Momentum):
    """Nesterov momentum, :func:`nesterov_step` (lecture 004): the gradient is taken at
    the look-ahead point theta + mu v.

    A training loop can only give the gradient at the parameters it holds, so
    (Sutskever et al. 2013; CS231n) the parameters hold the look-ahead point
    phi = theta + mu v instead, whose gradient is the one the rule needs. One
    step recovers the plain iterate theta = phi - mu v, takes the lecture's
    step with g = grad L(phi), and stores the new look-ahead point:

        theta <- phi - mu v
        v     <- mu v - alpha g
        theta <- theta + v
        phi   <- theta + mu v

    Since v_0 = 0, phi_0 = theta_0: the parameters start where they are, and
    at any step theta = phi - mu v is the plain iterate.
    """

    def step(self) -> None:
        for i, p in enumerate(self.params):
            g, v = p.grad, self.v[i]            # g = grad L(phi): what the rule asks of grad_fn
            theta, self.v[i] = nesterov_step(p.value - self.mu * v, v, lambda _, g=g: g,
                                             self.lr, self.mu)
            p.value[...] = look_ahead(theta, self.v[i], self.mu)


class AdaGrad(Optimizer):
    """AdaGrad, :func:`adagrad_step`: G <- G + g^2, theta <- theta - alpha g / (sqrt(G) + eps).

    ``G`` starts at zero and only grows, so the steps shrink towards zero.
    This is ``torch.optim.Adagrad`` (same lr = 0.01) except for the default
    eps = 1e-8, where torch's is 1e-10.
    """

    def __init__(self, params: Iterable[Parameter], lr: float = 0.01,
                 eps: float = 1e-8) -> None:
        super().__init__(params, lr)
        self.eps = _check_range("eps", eps, 0.0, math.inf)
        self.G = self._state()

    def step(self) -> None:
        for i, p in enumerate(self.params):
            p.value[...], self.G[i] = adagrad_step(p.value, p.grad, self.G[i], self.lr, self.eps)


class RMSProp(Optimizer):
    """RMSProp, :func:`rmsprop_step`: G <- gamma G + (1 - gamma) g^2,
    theta <- theta - alpha g / (sqrt(G) + eps).

    ``gamma`` is the decay (typical value 0.9); ``G`` starts at zero. This is
    ``torch.optim.RMSprop`` with ``alpha=gamma``; two defaults differ from
    torch's: gamma = 0.9 (torch's alpha = 0.99) and lr = 0.001 (torch's 0.01).
    """

    def __init__(self, params: Iterable[Parameter], lr: float = 0.001,
                 gamma: float = 0.9, eps: float = 1e-8) -> None:
        super().__init__(params, lr)
        self.gamma = _check_range("gamma", gamma, 0.0, 1.0)
        self.eps = _check_range("eps", eps, 0.0, math.inf)
        self.G = self._state()

    def step(self) -> None:
        for i, p in enumerate(self.params):
            p.value[...], self.G[i] = rmsprop_step(p.value, p.grad, self.G[i], self.lr,
                                                   self.gamma, self.eps)


class Adam(Optimizer):
    """Adam, :func:`adam_step`, with one step count ``t`` for all parameters (0 before the
    first step, which uses t = 1); ``m`` and ``v`` start at zero.

    ``weight_decay`` kappa is the L2 penalty in the gradient of ``torch.optim.Adam``,
    g <- g + kappa theta, for parameters with ``regularize=True`` only; see
    :class:`AdamW` for the decoupled form.
    """

    _rule = staticmethod(adam_step)

    def __init__(self, params: Iterable[Parameter], lr: float = 0.001, beta1: float = 0.9,
                 beta2: float = 0.999, eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.beta1 = _check_range("beta1", beta1, 0.0, 1.0)
        self.beta2 = _check_range("beta2", beta2, 0.0, 1.0)
        self.eps = _check_range("eps", eps, 0.0, math.inf)
        self.weight_decay = _check_range("weight_decay", weight_decay, 0.0, math.inf)
        self.t = 0
        self.m = self._state()
        self.v = self._state()

    def step(self) -> None:
        for i, p in enumerate(self.params):
            decay = self.weight_decay if p.regularize else 0.0
            p.value[...], self.m[i], self.v[i], _ = self._rule(
                p.value, p.grad, self.m[i], self.v[i], self.t, self.lr, self.beta1, self.beta2,
                self.eps, decay)
        self.t += 1


class AdamW(Adam):
    """Adam with decoupled weight decay, :func:`adamw_step`: theta <- (1 - alpha kappa) theta
    for parameters with ``regularize=True``, then Adam's step on the raw gradient.

    Biases never decay. This is ``torch.optim.AdamW``, default kappa = 0.01,
    except that torch decays every parameter it is given.
    """

    _rule = staticmethod(adamw_step)

    def __init__(self, params: Iterable[Parameter], lr: float = 0.001, beta1: float = 0.9,
                 beta2: float = 0.999, eps: float = 1e-8, weight_decay: float = 0.01) -> None:
        super().__init__(params, lr, beta1, beta2, eps, weight_decay)


# -- an optimizer over plain data ------------------------------------------------------------

# name -> (its step function, the state it takes and returns, in that order)
RULES: dict[str, tuple[Callable[..., object], tuple[str, ...]]] = {
    "sgd": (sgd_step, ()),
    "momentum": (momentum_step, ("v",)),
    "adagrad": (adagrad_step, ("G",)),
    "rmsprop": (rmsprop_step, ("G",)),
    "adam": (adam_step, ("m", "v", "t")),
}


def optimizer_trajectory(name: str, theta0: ArrayLike, grads: ArrayLike,
                         state: dict | None = None, **hyper: float) -> dict[str, np.ndarray]:
    """The rule ``name`` of :data:`RULES` driven over ``grads`` from ``theta0``.

    Args:
        name: ``"sgd"``, ``"momentum"``, ``"adagrad"``, ``"rmsprop"`` or ``"adam"``.
        theta0: the starting parameter (not modified).
        grads: the gradients, shape ``(k, *theta0.shape)``: step i uses ``grads[i]``.
        state: optional starting state (``{"v": ...}``, ``{"G": ...}``,
            ``{"m": ..., "v": ..., "t": ...}``); zeros (and t = 0) by default.
        **hyper: the rule's hyperparameters (``lr``, ``mu``, ``gamma``, ...).

    Returns:
        ``{"theta": (k, *shape)}`` plus one ``(k, *shape)`` array per state array
        (and ``"t"``, shape ``(k,)``, for Adam): the values after each step.
    """
    step, names = RULES[name]
    theta = as_float(theta0)
    given = state or {}
    current = [given.get(key, 0 if key == "t" else np.zeros_like(theta)) for key in names]
    out: dict[str, list] = {"theta": [], **{key: [] for key in names}}
    for g in np.asarray(grads):
        result = step(theta, g, *current, **hyper)
        theta, *current = result if names else (result,)
        for key, value in zip(("theta", *names), (theta, *current), strict=True):
            out[key].append(value)
    return {key: np.array(values) for key, values in out.items()}


def nesterov_on_quadratic(A: np.ndarray, b: np.ndarray, theta0: ArrayLike, lr: float,
                          mu: float, steps: int) -> dict[str, np.ndarray]:
    """:func:`nesterov_step` on L(theta) = 1/2 theta^T A theta - b^T theta (gradient
    A theta - b), from theta0 and v = 0.

    Returns:
        ``{"theta": (steps, D), "v": (steps, D)}``: theta_k and v_k after each step.
    """
    theta = as_float(theta0)
    v = np.zeros_like(theta)
    thetas, vs = [], []
    for _ in range(steps):
        theta, v = nesterov_step(theta, v, lambda x: A @ x - b, lr, mu)
        thetas.append(theta)
        vs.append(v)
    return {"theta": np.array(thetas), "v": np.array(vs)}


# -- learning-rate schedules ----------------------------------------------------------------


def step_schedule(t: int, lr0: float, drop: float = 0.5, every: int = 10) -> float:
    """Step decay: alpha_t = lr0 * drop^floor(t / every), a drop every ``every`` steps.

    ``torch.optim.lr_scheduler.StepLR(step_size=every, gamma=drop)``, whose
    ``gamma`` defaults to 0.1 (here ``drop`` = 0.5) and has no default step size.
    """
    if every < 1:
        raise ValueError(f"the learning rate drops every >= 1 steps, got every = {every}")
    return float(lr0 * drop ** (t // every))


def exponential_schedule(t: float, lr0: float, k: float) -> float:
    """Exponential decay: alpha_t = lr0 * exp(-k t)
    (``torch.optim.lr_scheduler.ExponentialLR`` with gamma = e^{-k})."""
    return float(lr0 * math.exp(-k * t))


def inverse_time_schedule(t: float, lr0: float, k: float) -> float:
    """1/t decay: alpha_t = lr0 / (1 + k t)."""
    return float(lr0 / (1.0 + k * t))


def cosine_schedule(t: float, lr0: float, total: float, lr_min: float = 0.0) -> float:
    """Cosine annealing from lr0 at t = 0 to lr_min at t = total, then held at lr_min:

        alpha_t = lr_min + (lr0 - lr_min) (1 + cos(pi min(t, total) / total)) / 2

    ``torch.optim.lr_scheduler.CosineAnnealingLR(T_max=total, eta_min=lr_min)``
    up to t = total; beyond it torch's rate rises again along the cosine.
    """
    if total <= 0:
        raise ValueError(f"cosine annealing needs a duration total > 0, got {total}")
    return float(lr_min + (lr0 - lr_min) * (1.0 + math.cos(math.pi * min(t, total) / total)) / 2)
