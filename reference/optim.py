"""Gradient-based optimizers and learning-rate schedules (lectures 001, 003, 004; topics 21-24, 27).

Every optimizer is a small class in the manner of ``torch.optim``: it is built
from a list of :class:`~reference.parameter.Parameter` and its hyperparameters
(the published defaults), and each call of :meth:`Optimizer.step` moves every
parameter's ``value`` one step using its ``grad``. Notation of the lectures:

    theta   a parameter (``p.value``)          g      its gradient (``p.grad``)
    alpha   the learning rate (``lr``)         mu     the momentum parameter
    v       the velocity                       G      accumulated squared gradients
    gamma   RMSProp's decay                    eps    a small number, outside the root
    beta1, beta2, m, v, t                      Adam's decays, moments and step count
    kappa   the weight-decay coefficient (``weight_decay``)

Updates are made in place: ``p.value`` keeps its identity and dtype (float32
parameters stay float32), and the state each optimizer keeps per parameter
(``v``, ``G``, ``m``) lives in lists aligned with ``params``, in the
parameter's dtype. Hyperparameters are stored as Python floats, which numpy
never lets promote a float32 array.

A schedule is a plain function of the step (or epoch) index ``t`` that returns
a learning rate; the training loop assigns it: ``opt.lr = cosine_schedule(t, 0.1, 50)``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from reference.parameter import Parameter


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
        """Set every ``p.grad`` to zero, in place."""
        for p in self.params:
            p.grad[...] = 0

    def step(self) -> None:
        """Update every ``p.value`` in place from its ``p.grad``."""
        raise NotImplementedError

    def _state(self) -> list[np.ndarray]:
        """One zero array per parameter, in the parameter's shape and dtype."""
        return [np.zeros_like(p.value) for p in self.params]


class SGD(Optimizer):
    """(Stochastic) gradient descent, lecture 001: theta <- theta - alpha g.

    With ``weight_decay`` kappa > 0, parameters with ``regularize=True`` decay
    as in lecture 003:

        theta <- (1 - alpha kappa) theta - alpha g,

    which is exactly gradient descent on the loss plus (kappa / 2) ||theta||^2.
    Biases (``regularize=False``) never decay; ``torch.optim.SGD`` decays every
    parameter it is given.
    """

    def __init__(self, params: Iterable[Parameter], lr: float,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.weight_decay = _check_range("weight_decay", weight_decay, 0.0, math.inf)

    def step(self) -> None:
        for p in self.params:
            if self.weight_decay and p.regularize:
                p.value *= 1.0 - self.lr * self.weight_decay
            p.value -= self.lr * p.grad


class Momentum(Optimizer):
    """Gradient descent with momentum, lecture 001:

        v     <- mu v - alpha g
        theta <- theta + v

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
        for p, v in zip(self.params, self.v, strict=True):
            v *= self.mu
            v -= self.lr * p.grad
            p.value += v


class Nesterov(Momentum):
    """Nesterov momentum (lecture 004): the gradient is taken at the look-ahead point.

    The method as stated evaluates the gradient at theta + mu v:

        v_{k+1}     = mu v_k - alpha grad L(theta_k + mu v_k)
        theta_{k+1} = theta_k + v_{k+1}

    A training loop can only give the gradient at the parameters it holds, so
    (Sutskever et al. 2013; CS231n) we store the look-ahead point instead,
    phi_k = theta_k + mu v_k, whose gradient is the one the rule needs. Then

        phi_{k+1} = theta_{k+1} + mu v_{k+1}
                  = theta_k + (1 + mu) v_{k+1}
                  = phi_k - mu v_k + (1 + mu) v_{k+1},

    so with g = grad L(phi_k) one step is

        v_prev = v
        v      <- mu v - alpha g
        phi    <- phi - mu v_prev + (1 + mu) v.

    Since v_0 = 0, phi_0 = theta_0: the parameters start where they are, and
    at any step theta = phi - mu v recovers the plain iterate.
    """

    def step(self) -> None:
        for p, v in zip(self.params, self.v, strict=True):
            p.value -= self.mu * v          # - mu v_prev, taken before v is overwritten
            v *= self.mu
            v -= self.lr * p.grad
            p.value += (1.0 + self.mu) * v


class AdaGrad(Optimizer):
    """AdaGrad (Duchi, Hazan and Singer 2011; lectures 001, 004), elementwise:

        G     <- G + g^2
        theta <- theta - alpha g / (sqrt(G) + eps)

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
        for p, G in zip(self.params, self.G, strict=True):
            G += p.grad * p.grad
            p.value -= self.lr * p.grad / (np.sqrt(G) + self.eps)


class RMSProp(Optimizer):
    """RMSProp (lectures 001, 004): AdaGrad with a moving average, elementwise:

        G     <- gamma G + (1 - gamma) g^2
        theta <- theta - alpha g / (sqrt(G) + eps)

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
        for p, G in zip(self.params, self.G, strict=True):
            G *= self.gamma
            G += (1.0 - self.gamma) * p.grad * p.grad
            p.value -= self.lr * p.grad / (np.sqrt(G) + self.eps)


class Adam(Optimizer):
    """Adam (Kingma and Ba 2015; lecture 004), elementwise, with t incremented first:

        t     <- t + 1
        m     <- beta1 m + (1 - beta1) g            first moment
        v     <- beta2 v + (1 - beta2) g^2          second moment
        m_hat =  m / (1 - beta1^t)                  bias corrections
        v_hat =  v / (1 - beta2^t)
        theta <- theta - alpha m_hat / (sqrt(v_hat) + eps)

    ``m`` and ``v`` start at zero, so the first step uses t = 1.

    ``weight_decay`` kappa is an L2 penalty *in the gradient*, as in
    ``torch.optim.Adam``: g <- g + kappa theta for parameters with
    ``regularize=True``. Lecture 003 shows why this is not weight decay for an
    adaptive method (the decay is divided by sqrt(v_hat) too); see
    :class:`AdamW` for the decoupled form.
    """

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

    def _gradient(self, p: Parameter) -> np.ndarray:
        """The gradient Adam's moments see: g + kappa theta (L2) for weights."""
        if self.weight_decay and p.regularize:
            return p.grad + self.weight_decay * p.value
        return p.grad

    def step(self) -> None:
        self.t += 1
        bias1 = 1.0 - self.beta1**self.t
        bias2 = 1.0 - self.beta2**self.t
        for p, m, v in zip(self.params, self.m, self.v, strict=True):
            g = self._gradient(p)
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * g * g
            m_hat = m / bias1
            v_hat = v / bias2
            p.value -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter 2019; lecture 003):

        theta <- (1 - alpha kappa) theta        for parameters with regularize=True
        theta <- theta - alpha m_hat / (sqrt(v_hat) + eps)   Adam's step on the raw g

    Lecture 003 writes it theta <- (1 - lambda) theta + f(theta, grad E) with
    lambda = alpha kappa, against L2's theta <- theta + f(theta, grad E + kappa theta)
    (:class:`Adam` with ``weight_decay``). Biases never decay. This is
    ``torch.optim.AdamW``, default kappa = 0.01, except that torch decays
    every parameter it is given.
    """

    def __init__(self, params: Iterable[Parameter], lr: float = 0.001, beta1: float = 0.9,
                 beta2: float = 0.999, eps: float = 1e-8, weight_decay: float = 0.01) -> None:
        super().__init__(params, lr, beta1, beta2, eps, weight_decay)

    def _gradient(self, p: Parameter) -> np.ndarray:
        """The raw gradient: the decay is applied to theta directly, not through g."""
        return p.grad

    def step(self) -> None:
        for p in self.params:
            if p.regularize:
                p.value *= 1.0 - self.lr * self.weight_decay
        super().step()


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
