"""A trainable parameter: a value, its gradient, and whether weight penalties apply."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from reference import as_float


@dataclass(eq=False)
class Parameter:
    """A tensor ``theta`` that training updates, with ``grad`` = dL/dtheta.

    ``value`` is float: float32 and float64 arrays are kept as they are (the
    same object), anything else becomes a float64 copy. ``value`` and ``grad``
    have the same shape and dtype. Layers write ``grad`` in their backward pass
    (overwriting, not accumulating) with :meth:`set_grad`; optimizers update
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

    def set_grad(self, grad: np.ndarray) -> None:
        """Store dL/dtheta as ``grad``, in the parameter's dtype (no copy if it has it)."""
        self.grad = grad.astype(self.value.dtype, copy=False)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape
