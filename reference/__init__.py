"""nnlabs reference implementation: the lecture material in numpy.

This package is the oracle the autograder compares student work against. It
follows the notation of the lectures (``../shared/lectures``) and one set of
conventions, stated here once and used by every module:

Shapes
    A batch of inputs ``X`` has shape ``(N, D)``: one example per row.
    A weight matrix ``W`` has shape ``(fan_in, fan_out)``, so a dense layer
    computes ``S = X @ W + b`` with ``b`` of shape ``(fan_out,)``.
    Class labels are integers of shape ``(N,)``; targets for regression have
    the shape of the prediction.

Losses
    Every loss averages over the batch (the ``1/m`` of the lectures' empirical
    risk) and returns ``(loss, gradient)``, the gradient taken with respect to
    the loss's first argument.

Backward passes
    ``f_backward(dout, x, ...)`` takes the upstream gradient ``dout`` (same
    shape as ``f``'s output) and the forward input ``x`` and returns the
    gradient with respect to ``x`` (upstream times local gradient). A layer's
    backward pass adds to its parameters' gradients: see
    :mod:`reference.parameter` for the one gradient contract.

Dropout
    ``keep_prob`` is the probability of *keeping* a unit (the lectures' p).
    Inverted dropout multiplies by the mask ``mu`` in ``{0, 1/keep_prob}``.

Optimizers
    Momentum follows lecture 001: ``v <- mu v - alpha g``, ``theta <- theta + v``.
    RMSProp and AdaGrad put ``eps`` outside the square root:
    ``alpha / (sqrt(G) + eps)``. Adam increments ``t`` before the bias
    correction, so its first step uses ``t = 1``.

Numbers
    Float64 by default; float32 inputs stay float32; anything else (integers,
    booleans, lists of them) becomes float64. A layer computes in the dtype
    of its input x, whatever dtype its parameters hold: the output has x's
    dtype, and so has dL/dx for an upstream gradient of the output's dtype. A
    parameter's gradient always has the parameter's dtype, and a parameter is
    always float (:class:`~reference.parameter.Parameter` makes an integer
    value float64). No function modifies an input array in place (optimizers
    update their parameters, by design).

Caching
    A layer whose ``backward`` needs its input (``Linear``, the activations,
    ``PReLU``) keeps a reference to it in ``forward``, not a copy: change that
    array in place in between and ``backward`` uses the changed values.

Errors
    An input the lectures give no meaning to raises a ``ValueError`` that says
    what is wrong: an empty batch for a loss (its 1/m needs m >= 1), a
    negative number under a square root, an exponential beyond float64's range.

PyTorch
    Where a formula or a default differs from PyTorch's, its docstring says so.

Random numbers
    Anything random takes a ``numpy.random.Generator`` (``rng``); there is no
    global random state.
"""

import numpy as np
from numpy.typing import ArrayLike

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def as_float(a: ArrayLike) -> np.ndarray:
    """``a`` as a float array, by the convention above: float32 stays float32,
    anything else (float64, integers, lists, scalars) becomes float64."""
    if type(a) is np.ndarray and (a.dtype is _FLOATS[0] or a.dtype is _FLOATS[1]):
        return a                # the common case, in a third of np.asarray's time
    a = np.asarray(a)
    return a if a.dtype in _FLOATS else a.astype(np.float64)


def num_examples(a: np.ndarray) -> int:
    """m, the number of examples: the first dimension of ``a``. An average over the
    batch (a loss, an accuracy, a batch statistic) needs m >= 1, so an empty batch, or
    an array without a batch dimension, is a ``ValueError``."""
    if a.ndim == 0:
        raise ValueError("a batch needs a first dimension (one entry per example), "
                         "got a 0-d array")
    if a.shape[0] == 0:
        raise ValueError("an empty batch (m = 0): an average over the m examples needs "
                         "at least one")
    return a.shape[0]
