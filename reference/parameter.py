"""A trainable parameter: a value, its gradient, and whether weight penalties apply.

The gradient contract of the whole reference, as in PyTorch and micrograd:
**gradients accumulate**. A backward pass *adds* its dL/dtheta to ``p.grad``
(:meth:`Parameter.accumulate`), as :class:`reference.graph.Value` adds one
contribution per path, so two backward passes (or a backward pass and a
penalty, :func:`reference.regularization.add_penalty`) give the sum of their
gradients. ``p.grad`` starts at zero; whoever starts a new gradient resets it
first with ``zero_grad()`` (the parameter's, or the optimizer's for all of
its parameters), as a training loop does before every step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from reference import as_float


@dataclass(eq=False)
class Parameter:
    """A tensor ``theta`` that training updates, with ``grad`` = dL/dtheta.

    ``value`` is float: float32 and float64 arrays are kept as they are (the
    same object), anything else becomes a float64 copy. ``value`` and ``grad``
    have the same shape and dtype. Layers add to ``grad`` in their backward
    pass with :meth:`accumulate` (see the module's docstring); optimizers update
    ``value`` in place. ``regularize`` is True for weights and False for biases
    and normalization parameters, which weight penalties never touch (lecture 003).
    """

    value: np.ndarray
    regularize: bool = True
    name: str = ""
    grad: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.value = as_float(self.value)
        self.grad = np.zeros_like(self.value)

    def accumulate(self, grad: np.ndarray) -> None:
        """Add a contribution to dL/dtheta to ``self.grad``, in place, in the parameter's dtype."""
        self.grad += grad

    def zero_grad(self) -> None:
        """Reset ``grad`` to zero, in place (the array keeps its identity)."""
        self.grad[...] = 0

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape
