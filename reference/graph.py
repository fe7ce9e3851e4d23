"""Computational graphs and backpropagation on scalars (lectures 000 and 002; topics 7-9).

A :class:`Value` holds a number and remembers the operation and the inputs
that produced it, so an expression such as ``f = (x + y) * z`` builds a graph.
``f.backward()`` then visits the graph from the output back to the inputs and
fills in every node's ``grad`` = df/dnode by the chain rule:

    downstream gradient = upstream gradient x local gradient.

Each operation below defines its local gradient right next to its forward
rule, in a ``_backward`` closure. Two details make this backpropagation rather
than naive symbolic differentiation:

* Nodes are visited in reverse topological order, so a node's gradient is
  complete (every path from the output has contributed) before it is passed
  on: the "memoization" of lecture 000.
* Gradients accumulate (``+=``): a node used twice receives one contribution
  per use, the multivariate chain rule's sum over paths. With ``b = a + a``,
  db/da = 1 + 1 = 2.

In the style of Karpathy's micrograd (``engine.py``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable


class Value:
    """A scalar node of a computational graph.

    Attributes:
        data: the number computed in the forward pass.
        grad: d(output)/d(this node), filled in by the output's :meth:`backward`;
            0.0 until then.
    """

    def __init__(self, data: float, _children: Iterable[Value] = (), _op: str = "") -> None:
        self.data = float(data)
        self.grad = 0.0
        self._prev = tuple(_children)
        self._op = _op
        self._backward: Callable[[], None] = lambda: None

    # -- primitive operations: forward rule, then local gradient -------------------

    def __add__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward() -> None:
            # d(a + b)/da = 1, d(a + b)/db = 1: addition routes the gradient unchanged.
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward() -> None:
            # d(ab)/da = b, d(ab)/db = a: multiplication swaps its inputs.
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, k: float) -> Value:
        if not isinstance(k, (int, float)):
            raise TypeError("only int or float exponents are supported")
        a = self.data
        if a == 0 and k < 0:
            raise ValueError(f"0 ** {k} divides by zero (a / b needs b != 0)")
        if a < 0 and not float(k).is_integer():
            raise ValueError(f"({a}) ** {k}: a negative number has no real power that is "
                             "not an integer (no real square root, for one)")
        try:
            out = Value(a**k, (self,), f"**{k}")
        except OverflowError:
            raise ValueError(f"({a}) ** {k} is beyond float64's range (about 1.8e308)") from None

        def _backward() -> None:
            # d(a^k)/da = k a^(k - 1), which is infinite at a = 0 for 0 < k < 1
            if self.data == 0 and 0 < k < 1:
                raise ValueError(f"d(a^{k})/da = {k} a^({k - 1}) is infinite at a = 0")
            self.grad += (k * self.data ** (k - 1) if k else 0.0) * out.grad
        out._backward = _backward
        return out

    def exp(self) -> Value:
        try:
            out = Value(math.exp(self.data), (self,), "exp")
        except OverflowError:
            raise ValueError(f"e^{self.data} is beyond float64's range: e^a overflows for "
                             "a > 709.78") from None

        def _backward() -> None:
            # d(e^a)/da = e^a, the output itself
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    def tanh(self) -> Value:
        out = Value(math.tanh(self.data), (self,), "tanh")

        def _backward() -> None:
            # d tanh(a)/da = 1 - tanh(a)^2
            self.grad += (1.0 - out.data**2) * out.grad
        out._backward = _backward
        return out

    def sigmoid(self) -> Value:
        a = self.data
        # sigma(a) = 1 / (1 + e^-a), written with e^-|a| so that it never overflows
        s = 1.0 / (1.0 + math.exp(-a)) if a >= 0 else math.exp(a) / (1.0 + math.exp(a))
        out = Value(s, (self,), "sigmoid")

        def _backward() -> None:
            # d sigma(a)/da = sigma(a) (1 - sigma(a)), at most 1/4
            self.grad += out.data * (1.0 - out.data) * out.grad
        out._backward = _backward
        return out

    def relu(self) -> Value:
        out = Value(max(0.0, self.data), (self,), "relu")

        def _backward() -> None:
            # d max(0, a)/da = 1 if a > 0 else 0 (0 at a = 0, by convention)
            self.grad += (1.0 if self.data > 0 else 0.0) * out.grad
        out._backward = _backward
        return out

    # -- composite operations: their gradients come from the primitives above ------

    def __neg__(self) -> Value:          # -a = a * (-1)
        return self * -1

    def __sub__(self, other: Value | float) -> Value:     # a - b = a + (-b)
        return self + (-other)

    def __truediv__(self, other: Value | float) -> Value:  # a / b = a * b^-1
        other = other if isinstance(other, Value) else Value(other)
        return self * other**-1

    def __radd__(self, other: float) -> Value:      # c + a
        return self + other

    def __rmul__(self, other: float) -> Value:      # c * a
        return self * other

    def __rsub__(self, other: float) -> Value:      # c - a
        return Value(other) - self

    def __rtruediv__(self, other: float) -> Value:  # c / a
        return Value(other) / self

    # -- backpropagation ------------------------------------------------------------

    def backward(self) -> None:
        """Fill in ``grad`` = d(self)/d(node) for every node this one depends on.

        Sorts the graph topologically (every node after its inputs), sets
        d(self)/d(self) = 1 and applies the local gradients from the output
        back to the inputs. Gradients add up, also across calls: to backprop
        a second time through the same nodes, reset their ``grad`` to 0 first.
        """
        topo: list[Value] = []
        visited: set[int] = set()
        # Iterative depth-first search, so that long chains do not hit the recursion limit.
        stack: list[tuple[Value, bool]] = [(self, False)]
        while stack:
            node, children_done = stack.pop()
            if children_done:
                topo.append(node)
            elif id(node) not in visited:
                visited.add(id(node))
                stack.append((node, True))
                stack.extend((child, False) for child in node._prev)
        self.grad = 1.0
        for node in reversed(topo):
            node._backward()

    def __repr__(self) -> str:
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"
