"""Layers: modular backpropagation (lectures 001, 003, 004; topics 11, 12, 17, 29, 30).

Lecture 001 builds a network from modules that each send three messages:

    forward     z^{l+1} = f(z^l)
    backward    delta^l = dL/dz^l = delta^{l+1} dz^{l+1}/dz^l      (upstream times local)
    parameter   dL/dw^l = delta^{l+1} dz^{l+1}/dw^l

This module has them twice. The functional core, in the manner of CS231n's
``layers.py``, gives each operation as a ``*_forward`` / ``*_backward`` pair
of plain functions with the shapes of every argument. The classes wrap them
(and the functions of :mod:`reference.activations`) into :class:`Layer`
objects that hold their :class:`~reference.parameter.Parameter` objects,
cache in ``forward`` what ``backward`` needs, and stack in a
:class:`Sequential`:

    model = Sequential(Linear(784, 256, rng), ReLU(), Linear(256, 10, rng))
    S = model.forward(X)                      # (N, 10) scores
    loss, dS = softmax_cross_entropy(S, y)
    model.zero_grad()                         # gradients accumulate: start from zero
    model.backward(dS)                        # adds dL/dp to p.grad for p in model.parameters()

Conventions (see :mod:`reference`): ``X`` is ``(N, D)``, one example per row;
``W`` is ``(fan_in, fan_out)``; float32 stays float32, integers become float64;
no input is modified. A layer computes in the dtype of its input: its output
(and dL/dx) have x's dtype, each parameter's gradient the parameter's. A
backward pass *adds* to its parameters' ``grad``: gradients accumulate, the
contract of :mod:`reference.parameter`, so a training step starts with
``zero_grad()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NamedTuple, overload

import numpy as np

from reference import activations, as_float, num_examples
from reference.init import DType, uniform_fan_in
from reference.parameter import Parameter

# ---------------------------------------------------------------------------------------
# Functional core
# ---------------------------------------------------------------------------------------


def linear_forward(X: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Dense layer, lecture 001: s_j = sum_i w_ij x_i + b_j, for a batch S = X W + b.

    Args:
        X: inputs, (N, fan_in).
        W: weights, (fan_in, fan_out).
        b: biases, (fan_out,).

    Returns:
        S: scores, (N, fan_out), in the dtype of ``X @ W`` (integer X or W become float64).
    """
    S = as_float(X) @ as_float(W)
    S += b          # in place on the fresh product: one pass less than X @ W + b
    return S


def linear_backward(dS: np.ndarray, X: np.ndarray, W: np.ndarray, *,
                    need_input_grad: bool = True
                    ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Gradients of the dense layer from the upstream gradient ``dS`` = dL/dS.

    With ds_j/dx_i = w_ij and ds_j/dw_ik = [j = k] x_i (lecture 001), summed over the batch:

        dX = dS W^T         (N, fan_in)      delta^l, sent to the layer below
        dW = X^T dS         (fan_in, fan_out)
        db = sum_n dS_n     (fan_out,)

    Args:
        dS: upstream gradient, (N, fan_out).
        X: the forward input, (N, fan_in).
        W: the weights, (fan_in, fan_out).
        need_input_grad: False skips ``dX`` (returned as None), e.g. when ``X``
            is the data, whose gradient nobody needs; that saves a third of the
            layer's backward arithmetic.

    Returns:
        ``(dX, dW, db)`` (integer arguments become float64).
    """
    dS, X, W = as_float(dS), as_float(X), as_float(W)
    dX = dS @ W.T if need_input_grad else None
    return dX, X.T @ dS, dS.sum(axis=0)


def dropout_forward(X: np.ndarray, keep_prob: float, rng: np.random.Generator
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Inverted dropout, lecture 003: keep each unit with probability p = ``keep_prob``.

        mu_i = 1/p with probability p, 0 with probability 1 - p  (independently)
        out  = X (*) mu

    so that E[out] = X and nothing needs rescaling at test time.

    Args:
        X: activations, any shape, e.g. (N, D).
        keep_prob: p in (0, 1].
        rng: draws the mask; the same seed gives the same mask whatever ``X``'s dtype.

    Returns:
        ``(out, mask)``: both of ``X``'s shape and float dtype; ``mask`` holds mu.
    """
    if not 0.0 < keep_prob <= 1.0:
        raise ValueError(f"keep_prob must be in (0, 1], got {keep_prob}")
    X = as_float(X)
    mask = (rng.random(X.shape) < keep_prob).astype(X.dtype)
    mask *= 1.0 / keep_prob
    return X * mask, mask


def dropout_backward(dout: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Lecture 003: a dropped unit passes no gradient, a kept one scales it by 1/p:

        dX = dout (*) mu

    Args:
        dout: upstream gradient, the shape of the forward output.
        mask: mu from :func:`dropout_forward`, same shape.

    Returns:
        dX, the shape of ``dout``.
    """
    return dout * mask


class BatchNormCache(NamedTuple):
    """What :func:`batchnorm_forward` keeps: ``backward`` needs the first three,
    the running averages of :class:`BatchNorm1d` the batch statistics."""

    xhat: np.ndarray        # (N, D) normalized inputs
    gamma: np.ndarray       # (D,)
    inv_std: np.ndarray     # (D,) 1 / sqrt(var + eps)
    mean: np.ndarray        # (D,) batch mean
    var: np.ndarray         # (D,) biased batch variance


def batchnorm_forward(X: np.ndarray, gamma: np.ndarray, beta: np.ndarray,
                      eps: float = 1e-5) -> tuple[np.ndarray, BatchNormCache]:
    """Batch normalization in training mode (Ioffe and Szegedy 2015; lecture 004).

    Per feature j, over the N examples of the batch:

        mean_j = 1/N sum_n x_nj
        var_j  = 1/N sum_n (x_nj - mean_j)^2          (biased: divides by N)
        xhat   = (x - mean) / sqrt(var + eps)
        out    = gamma (*) xhat + beta

    Args:
        X: inputs, (N, D).
        gamma: scales, (D,).
        beta: shifts, (D,).
        eps: added to the variance for numerical stability.

    Returns:
        ``(out, cache)``: out is (N, D); the cache is a :class:`BatchNormCache`.

    Raises:
        ValueError: for an empty batch (N = 0), which has no mean.
    """
    num_examples(X)
    mean = X.mean(axis=0)
    centered = X - mean
    var = np.mean(centered * centered, axis=0)
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = centered * inv_std
    return gamma * xhat + beta, BatchNormCache(xhat, gamma, inv_std, mean, var)


def batchnorm_backward(dout: np.ndarray, cache: BatchNormCache
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of :func:`batchnorm_forward` (training mode), in closed form.

        dbeta  = sum_n dout_n                        (D,)
        dgamma = sum_n dout_n (*) xhat_n             (D,)
        dX     = gamma / (N sqrt(var + eps)) (*) (N dout - dbeta - xhat (*) dgamma)   (N, D)

    The last line is the chain rule through xhat, var and mean (each of which
    depends on every x_nj of its column) collapsed into one expression.

    Args:
        dout: upstream gradient, (N, D).
        cache: from :func:`batchnorm_forward`.

    Returns:
        ``(dX, dgamma, dbeta)``.
    """
    n = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * cache.xhat, axis=0)
    dX = (cache.gamma * cache.inv_std / n) * (n * dout - dbeta - cache.xhat * dgamma)
    return dX, dgamma, dbeta


def batchnorm_running_averages(running_mean: np.ndarray, running_var: np.ndarray,
                               cache: BatchNormCache, momentum: float
                               ) -> tuple[np.ndarray, np.ndarray]:
    """The running averages after a training-mode pass, as ``torch.nn.BatchNorm1d`` keeps them:

        running_mean <- (1 - momentum) running_mean + momentum mean_batch
        running_var  <- (1 - momentum) running_var  + momentum N/(N-1) var_batch

    i.e. ``running_var`` averages the *unbiased* batch variance (PyTorch's
    convention), while the normalization itself uses the biased one.

    Args:
        running_mean, running_var: the averages before the pass, (D,) each (not modified).
        cache: the pass's :class:`BatchNormCache` (its batch mean and variance, N from xhat).
        momentum: the weight of the batch's statistics.

    Returns:
        ``(running_mean, running_var)``, new arrays.

    Raises:
        ValueError: for a batch of fewer than 2 examples, whose N/(N-1) is undefined.
    """
    n = cache.xhat.shape[0]
    if n < 2:
        raise ValueError("batch normalization in training mode needs at least 2 examples")
    return ((1.0 - momentum) * running_mean + momentum * cache.mean,
            (1.0 - momentum) * running_var + (momentum * n / (n - 1)) * cache.var)


def batchnorm_eval_forward(X: np.ndarray, gamma: np.ndarray, beta: np.ndarray,
                           running_mean: np.ndarray, running_var: np.ndarray,
                           eps: float = 1e-5) -> tuple[np.ndarray, BatchNormCache]:
    """Batch normalization in evaluation mode: the running averages stand in for the batch's
    statistics,

        out = gamma (*) (x - running_mean) / sqrt(running_var + eps) + beta,

    an affine map of x, whose backward is ``dx = dout (*) gamma / sqrt(running_var + eps)``.

    Args:
        X: inputs, (N, D).
        gamma, beta: scales and shifts, (D,) each.
        running_mean, running_var: the averages of training, (D,) each.
        eps: added to the variance for numerical stability.

    Returns:
        ``(out, cache)``: out is (N, D); the cache holds the running averages as its
        ``mean`` and ``var``.
    """
    inv_std = 1.0 / np.sqrt(running_var + eps)
    xhat = (X - running_mean) * inv_std
    return gamma * xhat + beta, BatchNormCache(xhat, gamma, inv_std, running_mean, running_var)


# ---------------------------------------------------------------------------------------
# Layers
# ---------------------------------------------------------------------------------------


class Layer:
    """A module of lecture 001: ``forward``, ``backward`` and its parameters.

    ``forward(x)`` computes the output and caches what ``backward`` needs;
    ``backward(dout)`` takes dL/d(output) of the *last* forward call, adds
    dL/dtheta to ``p.grad`` of every parameter (gradients accumulate) and
    returns dL/dx; ``zero_grad()`` resets them. With ``need_input_grad=False``
    the caller says it does not need dL/dx: a layer may then skip computing it
    and return None (it still adds to its parameters' gradients).
    :class:`Sequential` passes False to the lowest layer that has parameters,
    whose input is usually the data.

    ``training`` selects the behaviour of layers that differ between training
    and evaluation (dropout, batch normalization); ``train()`` and ``eval()``
    set it and return the layer.
    """

    training: bool = True
    _cache: Any = None          # what the last forward pass saved for backward

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dout: np.ndarray, *, need_input_grad: bool = True) -> np.ndarray | None:
        raise NotImplementedError

    def parameters(self) -> list[Parameter]:
        """The layer's parameters, in a fixed order; none by default."""
        return []

    def zero_grad(self) -> None:
        """Reset the gradient of every parameter to zero, before a new backward pass."""
        for p in self.parameters():
            p.zero_grad()

    def train(self) -> Layer:
        self.training = True
        return self

    def eval(self) -> Layer:
        self.training = False
        return self

    def _saved(self) -> Any:
        """What the last ``forward`` cached; an error that says so if there was none."""
        if self._cache is None:
            raise RuntimeError(f"{type(self).__name__}.backward needs a forward pass first")
        return self._cache


class Linear(Layer):
    """Dense layer S = X W + b (see :func:`linear_forward`), X (N, fan_in) -> S (N, fan_out).

    ``W`` (fan_in, fan_out) is drawn by ``init(fan_in, fan_out, rng, dtype=dtype)``
    and penalized by weight penalties; ``b`` (fan_out,) starts at zero and is not
    (``torch.nn.Linear`` draws its bias like its weights, from U(-1/sqrt(fan_in),
    1/sqrt(fan_in))).

    ``forward`` keeps a reference to its input x, not a copy, and ``backward``
    computes dW = X^T dS from it: change x in place in between and dW changes too.
    """

    def __init__(self, fan_in: int, fan_out: int, rng: np.random.Generator,
                 init: Callable[..., np.ndarray] = uniform_fan_in,
                 dtype: DType = np.float64) -> None:
        self._hold(init(fan_in, fan_out, rng, dtype=dtype), np.zeros(fan_out, dtype=dtype))

    @classmethod
    def holding(cls, W: np.ndarray, b: np.ndarray) -> Linear:
        """The dense layer of the given weights W (fan_in, fan_out) and biases b (fan_out,),
        held as they are (float arrays are not copied)."""
        layer = cls.__new__(cls)
        layer._hold(W, b)
        return layer

    def _hold(self, W: np.ndarray, b: np.ndarray) -> None:
        self.W = Parameter(W, regularize=True, name="W")
        self.b = Parameter(b, regularize=False, name="b")

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float(x)
        self._cache = x
        return linear_forward(x, self.W.value, self.b.value).astype(x.dtype, copy=False)

    def backward(self, dout: np.ndarray, *, need_input_grad: bool = True) -> np.ndarray | None:
        x = self._saved()
        dx, dW, db = linear_backward(dout, x, self.W.value, need_input_grad=need_input_grad)
        self.W.accumulate(dW)
        self.b.accumulate(db)
        return None if dx is None else dx.astype(x.dtype, copy=False)

    def parameters(self) -> list[Parameter]:
        return [self.W, self.b]


class _Activation(Layer):
    """An elementwise function of :mod:`reference.activations` and its backward.

    Caches the input s; backward returns ``f_backward(dout, s)`` (the flag
    ``need_input_grad`` does not matter: there is no parameter to learn).
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._cache = x
        return self._f(x)

    def backward(self, dout: np.ndarray, *, need_input_grad: bool = True) -> np.ndarray:
        return self._f_backward(dout, self._saved())


class Sigmoid(_Activation):
    """sigma(s) = 1 / (1 + exp(-s)), :func:`reference.activations.sigmoid`."""

    _f = staticmethod(activations.sigmoid)
    _f_backward = staticmethod(activations.sigmoid_backward)


class Tanh(_Activation):
    """tanh(s) = 2 sigma(2s) - 1, :func:`reference.activations.tanh`."""

    _f = staticmethod(activations.tanh)
    _f_backward = staticmethod(activations.tanh_backward)


class ReLU(_Activation):
    """max(0, s), :func:`reference.activations.relu`."""

    _f = staticmethod(activations.relu)
    _f_backward = staticmethod(activations.relu_backward)


class LeakyReLU(_Activation):
    """s for s > 0, alpha s otherwise, :func:`reference.activations.leaky_relu`."""

    def __init__(self, alpha: float = 0.01) -> None:
        self.alpha = alpha

    def _f(self, s: np.ndarray) -> np.ndarray:
        return activations.leaky_relu(s, self.alpha)

    def _f_backward(self, dout: np.ndarray, s: np.ndarray) -> np.ndarray:
        return activations.leaky_relu_backward(dout, s, self.alpha)


class ELU(_Activation):
    """s for s > 0, alpha (exp(s) - 1) otherwise, :func:`reference.activations.elu`."""

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha

    def _f(self, s: np.ndarray) -> np.ndarray:
        return activations.elu(s, self.alpha)

    def _f_backward(self, dout: np.ndarray, s: np.ndarray) -> np.ndarray:
        return activations.elu_backward(dout, s, self.alpha)


class Softmax(_Activation):
    """softmax over the last axis (the classes), :func:`reference.activations.softmax`.

    For training a classifier, prefer raw scores and
    :func:`reference.losses.softmax_cross_entropy`, which is stabler.
    """

    _f = staticmethod(activations.softmax)
    _f_backward = staticmethod(activations.softmax_backward)


class PReLU(Layer):
    """Leaky ReLU with a learned slope per feature, :func:`reference.activations.prelu`.

    x (N, num_features) -> out (N, num_features); ``alpha`` (num_features,)
    starts at ``init`` and is not penalized by weight penalties.
    """

    def __init__(self, num_features: int, init: float = 0.25, dtype: DType = np.float64) -> None:
        self.alpha = Parameter(np.full(num_features, init, dtype=dtype), regularize=False,
                               name="alpha")

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._cache = x
        return activations.prelu(x, self.alpha.value)

    def backward(self, dout: np.ndarray, *, need_input_grad: bool = True) -> np.ndarray:
        dx, dalpha = activations.prelu_backward(dout, self._saved(), self.alpha.value)
        self.alpha.accumulate(dalpha)
        return dx

    def parameters(self) -> list[Parameter]:
        return [self.alpha]


class Dropout(Layer):
    """Inverted dropout (lecture 003) in training, the identity in evaluation.

    Training: ``out = x (*) mu`` with a fresh mask mu in {0, 1/p} per forward
    call, p = ``keep_prob`` (see :func:`dropout_forward`). Evaluation: ``out = x``.

    Why the identity at test time is right: plain dropout (mask in {0, 1})
    trains each unit to feed the next layer only a fraction p of the time on
    average, so at test time, with every unit present, the lectures' *weight
    scaling* rule multiplies the unit's activation (equivalently its outgoing
    weights) by p to match the expected input E[mask x] = p x. Inverted dropout
    divides by p during training instead, so E[mu x] = x already, and the
    network needs no scaling at test time: evaluating it unchanged is the
    weight-scaling approximation of averaging over all the thinned networks.
    """

    def __init__(self, keep_prob: float, rng: np.random.Generator) -> None:
        if not 0.0 < keep_prob <= 1.0:
            raise ValueError(f"keep_prob must be in (0, 1], got {keep_prob}")
        self.keep_prob = keep_prob
        self.rng = rng

    def forward(self, x: np.ndarray) -> np.ndarray:
        if not self.training:
            self._cache = 1.0        # the identity's mask: every unit kept, unscaled
            return as_float(x)
        out, self._cache = dropout_forward(x, self.keep_prob, self.rng)
        return out

    def backward(self, dout: np.ndarray, *, need_input_grad: bool = True) -> np.ndarray:
        return dropout_backward(dout, self._saved())


class BatchNorm1d(Layer):
    """Batch normalization of the D features of x (N, D) (lecture 004), as ``torch.nn.BatchNorm1d``.

    Training: normalize with the batch's mean and (biased) variance, see
    :func:`batchnorm_forward`, and update the running averages in place by
    :func:`batchnorm_running_averages` (momentum times the batch's mean and
    unbiased variance); they start at 0 and 1. Evaluation: normalize with the
    running averages instead, :func:`batchnorm_eval_forward`.
    ``gamma`` (ones) and ``beta`` (zeros), both (D,), are not penalized.
    """

    def __init__(self, num_features: int, momentum: float = 0.1, eps: float = 1e-5,
                 dtype: DType = np.float64) -> None:
        self.momentum = momentum
        self.eps = eps
        self.gamma = Parameter(np.ones(num_features, dtype=dtype), regularize=False, name="gamma")
        self.beta = Parameter(np.zeros(num_features, dtype=dtype), regularize=False, name="beta")
        self.running_mean = np.zeros(num_features, dtype=dtype)
        self.running_var = np.ones(num_features, dtype=dtype)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float(x)
        gamma, beta = self.gamma.value, self.beta.value
        if self.training:
            out, cache = batchnorm_forward(x, gamma, beta, self.eps)
            self.running_mean[...], self.running_var[...] = batchnorm_running_averages(
                self.running_mean, self.running_var, cache, self.momentum)
        else:
            out, cache = batchnorm_eval_forward(x, gamma, beta, self.running_mean,
                                                self.running_var, self.eps)
        self._cache = (cache, self.training, x.dtype)
        return out.astype(x.dtype, copy=False)

    def backward(self, dout: np.ndarray, *, need_input_grad: bool = True) -> np.ndarray:
        cache, batch_statistics, dtype = self._saved()
        if batch_statistics:
            dx, dgamma, dbeta = batchnorm_backward(dout, cache)
        else:
            dbeta, dgamma = dout.sum(axis=0), np.sum(dout * cache.xhat, axis=0)
            dx = dout * (cache.gamma * cache.inv_std)
        self.gamma.accumulate(dgamma)
        self.beta.accumulate(dbeta)
        return dx.astype(dtype, copy=False)

    def parameters(self) -> list[Parameter]:
        return [self.gamma, self.beta]


class Sequential(Layer):
    """Layers applied in order: forward bottom-up, backward top-down (lecture 001's chain).

    ``parameters()`` lists every layer's parameters in layer order, and
    ``train()`` / ``eval()`` set the mode of every layer. Indexing, ``len`` and
    iteration reach the layers; a slice gives a ``Sequential`` of the same
    layer objects.
    """

    def __init__(self, *layers: Layer) -> None:
        self.layers = list(layers)

    def forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dout: np.ndarray, *, need_input_grad: bool = False) -> np.ndarray | None:
        """Backpropagate ``dout`` through the layers in reverse order; add to every ``p.grad``.

        A model's input is usually the data, so by default (unlike a single
        layer) no gradient with respect to it is computed: the backward pass
        stops at the lowest layer with parameters, which is told
        ``need_input_grad=False``, and the method returns None. Pass
        ``need_input_grad=True`` to get dL/dx, (N, D), e.g. for a gradient
        check or a ``Sequential`` inside another.
        """
        stop = 0 if need_input_grad else self._lowest_with_parameters()
        for i in range(len(self.layers) - 1, stop - 1, -1):
            dout = self.layers[i].backward(dout, need_input_grad=need_input_grad or i > stop)
        return dout if need_input_grad else None

    def _lowest_with_parameters(self) -> int:
        for i, layer in enumerate(self.layers):
            if layer.parameters():
                return i
        return len(self.layers)

    def parameters(self) -> list[Parameter]:
        return [p for layer in self.layers for p in layer.parameters()]

    def train(self) -> Sequential:
        for layer in self.layers:
            layer.train()
        self.training = True
        return self

    def eval(self) -> Sequential:
        for layer in self.layers:
            layer.eval()
        self.training = False
        return self

    def __len__(self) -> int:
        return len(self.layers)

    @overload
    def __getitem__(self, index: int) -> Layer: ...
    @overload
    def __getitem__(self, index: slice) -> Sequential: ...

    def __getitem__(self, index: int | slice) -> Layer | Sequential:
        if isinstance(index, slice):
            return Sequential(*self.layers[index])
        return self.layers[index]

    def __iter__(self) -> Iterator[Layer]:
        return iter(self.layers)
