"""A trainable parameter: a value, its gradient, and whether weight penalties apply."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(eq=False)
class Parameter:
    """A tensor ``theta`` that training updates, with ``grad`` = dL/dtheta.

    ``value`` and ``grad`` have the same shape and dtype. Layers write
    ``grad`` in their backward pass (overwriting, not accumulating);
    optimizers update ``value`` in place. ``regularize`` is True for weights
    and False for biases and normalization parameters, which weight penalties
    never touch (lecture 003).
    """

    value: np.ndarray
    regularize: bool = True
    name: str = ""
    grad: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.grad = np.zeros_like(self.value)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape
