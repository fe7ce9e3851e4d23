"""Lab 03's answer key: the reference activations and losses, and the wrong variants its
checks' feedback names (each a sentence and the value that mistake gives on the same inputs).

The checks ask for these through their ``oracle``; the visible checks' answers are recorded
from here at release time, so none of this ships to students.
"""

from __future__ import annotations

import numpy as np

from autograder.answers.float64 import sigmoid64, softmax64
from nnlabs.expect import WITHOUT_DOUT, upstream_mistakes
from reference.activations import (  # noqa: F401 - the oracle's answers
    elu,
    elu_backward,
    leaky_relu,
    leaky_relu_backward,
    prelu,
    prelu_backward,
    relu,
    relu_backward,
    sigmoid,
    sigmoid_backward,
    softmax,
    softmax_backward,
    tanh,
    tanh_backward,
)
from reference.losses import (  # noqa: F401
    binary_cross_entropy_with_logits,
    mse,
    softmax_cross_entropy,
)


def sigmoid_mistakes(s: np.ndarray) -> dict:
    return {"it is sigma(-s) = 1 / (1 + e^{s}) = 1 - sigma(s): a sign is flipped "
            "(sigma(s) = 1 / (1 + e^{-s})).": sigmoid64(-s),
            "it is e^{-s}, the sigmoid without its 1 / (1 + ...).": np.exp(-np.clip(s, -50, 50))}


def sigmoid_backward_mistakes(dout: np.ndarray, s: np.ndarray) -> dict:
    y = sigmoid64(s)
    return {
        **upstream_mistakes(dout, y * (1 - y)),
        "it is dout * sigma(s): did you forget the (1 - sigma(s)) factor?": dout * y,
        "it is dout * s * (1 - s): backward receives the inner potential s, not the output; "
        "compute y_hat = sigma(s) first, then dout * y_hat * (1 - y_hat).": dout * s * (1 - s),
        "it is dout * sigma(s) * (1 + sigma(s)): the factor is (1 - sigma(s)).": dout * y * (1 + y),
    }


def tanh_mistakes(s: np.ndarray) -> dict:
    return {"it is 2 sigma(s) - 1 = tanh(s/2): the identity is tanh(s) = 2 sigma(2s) - 1, "
            "with 2s inside the sigmoid.": np.tanh(s / 2),
            "it is sigma(2s) - 1: the identity is tanh(s) = 2 sigma(2s) - 1.":
            sigmoid64(2 * s) - 1}


def tanh_backward_mistakes(dout: np.ndarray, s: np.ndarray) -> dict:
    t = np.tanh(s)
    return {"it is dout * (1 - s^2): the derivative is 1 - tanh(s)^2, with tanh applied to "
            "the input s (backward receives s, not the output).": dout * (1 - s**2),
            **upstream_mistakes(dout, 1 - t**2),
            "it is dout * (1 - tanh(s)): the derivative squares tanh, 1 - tanh(s)^2.":
            dout * (1 - t),
            "it is dout * (1 + tanh(s)^2): the derivative is 1 - tanh(s)^2.": dout * (1 + t**2)}


def relu_mistakes(s: np.ndarray) -> dict:
    return {"it returns the derivative 1{s > 0}, not the activation max(0, s).":
            (s > 0).astype(np.float64),
            "it keeps the negative part, min(0, s): ReLU is max(0, s).": np.minimum(s, 0.0),
            "it returns |s|: ReLU sets negative inputs to 0.": np.abs(s)}


def relu_backward_mistakes(dout: np.ndarray, s: np.ndarray) -> dict:
    return {**upstream_mistakes(dout, (s > 0).astype(np.float64)),
            "it is dout * max(0, s): that multiplies by the ReLU's output; the local gradient "
            "is its derivative 1{s > 0}.": dout * np.maximum(s, 0.0),
            "it passes dout where s < 0 and blocks it where s > 0: the mask is inverted.":
            dout * (s < 0),
            "it is max(0, dout): the mask must come from the forward input s "
            "(dout * 1{s > 0}), not from the sign of dout.": np.maximum(dout, 0.0)}


def leaky_relu_mistakes(s: np.ndarray, alpha: float) -> dict:
    return {"it puts the slope alpha on the positive side: leaky ReLU is s for s > 0 and "
            "alpha * s for s < 0.": np.where(s > 0, alpha * s, s),
            "it uses the slope 0.01 whatever alpha is passed: use the alpha argument.":
            np.where(s > 0, s, 0.01 * s),
            "it is max(0, s), the plain ReLU: the negative side keeps a slope, alpha * s.":
            np.maximum(s, 0.0)}


def leaky_relu_backward_mistakes(dout: np.ndarray, s: np.ndarray, alpha: float) -> dict:
    return {"the slopes are swapped: the derivative is 1 for s > 0 and alpha for s < 0.":
            dout * np.where(s > 0, alpha, 1.0),
            **upstream_mistakes(dout, np.where(s > 0, 1.0, alpha)),
            "it is the ReLU derivative, 0 for s < 0: the negative side has slope alpha.":
            dout * (s > 0),
            "it uses the slope 0.01 whatever alpha is passed: use the alpha argument.":
            dout * np.where(s > 0, 1.0, 0.01),
            "it is dout * leaky_relu(s), the output: the local gradient is 1 or alpha.":
            dout * np.where(s > 0, s, alpha * s)}


def elu_mistakes(s: np.ndarray, alpha: float) -> dict:
    negative = alpha * np.expm1(np.minimum(s, 0.0))
    return {"alpha multiplies the positive side too: ELU is s for s > 0 and alpha (e^s - 1) "
            "only for s < 0.": np.where(s > 0, alpha * s, negative),
            "the -1 is missing: the negative side is alpha (e^s - 1), which is 0 at s = 0 and "
            "tends to -alpha.": np.where(s > 0, s, alpha * np.exp(np.minimum(s, 0.0))),
            "it uses alpha = 1 whatever alpha is passed: use the alpha argument.":
            np.where(s > 0, s, np.expm1(np.minimum(s, 0.0)))}


def elu_backward_mistakes(dout: np.ndarray, s: np.ndarray, alpha: float) -> dict:
    e = np.exp(np.minimum(s, 0.0))
    return {"on the negative side it is alpha (e^s - 1), ELU's value: the derivative there is "
            "alpha e^s (= elu(s) + alpha).": dout * np.where(s > 0, 1.0, alpha * (e - 1)),
            **upstream_mistakes(dout, np.where(s > 0, 1.0, alpha * e)),
            "the positive side has slope alpha: ELU's derivative is 1 for s > 0.":
            dout * np.where(s > 0, alpha, alpha * e),
            "it uses alpha = 1 whatever alpha is passed: use the alpha argument.":
            dout * np.where(s > 0, 1.0, e)}


def softmax_mistakes(s: np.ndarray) -> dict:
    return {"it normalizes each column (axis=0): a row is one example, and its K class "
            "probabilities must sum to 1 (sum over axis=-1, keepdims=True).": softmax64(s, 0),
            "it normalizes over the whole batch: each row (example) must sum to 1 on its own "
            "(sum over axis=-1, keepdims=True).": softmax64(s, None)}


def softmax_backward_mistakes(dout: np.ndarray, s: np.ndarray) -> dict:
    y = softmax64(s)
    return {WITHOUT_DOUT: y * (1 - y),
            "it keeps only the diagonal of the softmax Jacobian, y (1 - y) dout: every output "
            "depends on every logit (dy_k/ds_j = y_k (1{k = j} - y_j)), so "
            "ds = y * (dout - sum_k dout_k y_k).": y * (1 - y) * dout,
            "it is y * dout: subtract each row's weighted sum, "
            "ds = y * (dout - sum(dout * y, axis=-1, keepdims=True)).": y * dout,
            "the weighted sum runs over the batch (axis=0): sum over each row's classes "
            "(axis=-1, keepdims=True).": y * (dout - np.sum(dout * y, axis=0, keepdims=True)),
            "it is dout - sum(dout * y): multiply by y as well, "
            "ds = y * (dout - sum(dout * y, axis=-1, keepdims=True)).":
            dout - np.sum(dout * y, axis=-1, keepdims=True)}


def relu_backward_at_zero_mistakes(dout: np.ndarray, s: np.ndarray) -> dict:
    return {"it passes the gradient where s = 0: the lectures take ReLU'(s) = 1{s > 0}, so "
            "ReLU'(0) = 0; use s > 0, not s >= 0.": dout * (s >= 0),
            **relu_backward_mistakes(dout, s)}


KINK = "(s > 0 selects the right piece; s >= 0 is the wrong test)."


def leaky_relu_backward_at_zero_mistakes(dout: np.ndarray, s: np.ndarray, alpha: float) -> dict:
    return {"it uses the right slope 1 where s = 0: the notebook takes the left slope there, "
            f"f'(0) = alpha {KINK}": dout * np.where(s >= 0, 1.0, alpha),
            **leaky_relu_backward_mistakes(dout, s, alpha)}


def elu_backward_at_zero_mistakes(dout: np.ndarray, s: np.ndarray, alpha: float) -> dict:
    e = np.exp(np.minimum(s, 0.0))
    return {"it uses the right slope 1 where s = 0: the notebook takes the left slope there, "
            f"f'(0) = alpha e^0 = alpha {KINK}": dout * np.where(s >= 0, 1.0, alpha * e),
            **elu_backward_mistakes(dout, s, alpha)}


def softmax_axis_mistakes(s: np.ndarray, axis: int) -> dict:
    return {"it normalizes along the last axis whatever axis is passed: use the axis argument "
            "(np.max and np.sum with axis=axis, keepdims=True).": softmax64(s, -1),
            "it normalizes over every entry at once: sum along the axis given "
            "(axis=axis, keepdims=True).": softmax64(s, None),
            **({} if axis == -1 else softmax_mistakes(s))}


def softmax_backward_axis_mistakes(dout: np.ndarray, s: np.ndarray, axis: int) -> dict:
    y = softmax64(s)
    return {"it works along the last axis whatever axis is passed: use the axis argument "
            "(in the softmax and in the weighted sum).":
            y * (dout - np.sum(dout * y, axis=-1, keepdims=True))}


def prelu_mistakes(s: np.ndarray, alpha: np.ndarray) -> dict:
    return {"it puts the slopes alpha on the positive side: PReLU is s for s > 0 and "
            "alpha_j * s for s < 0.": np.where(s > 0, alpha * s, s)}


def prelu_backward_ds_mistakes(dout: np.ndarray, s: np.ndarray, alpha: np.ndarray) -> dict:
    return {"the slopes are swapped: ds is dout for s > 0 and alpha_j * dout for s < 0.":
            dout * np.where(s > 0, alpha, 1.0),
            **upstream_mistakes(dout, np.where(s > 0, 1.0, alpha))}


def prelu_backward_dalpha_mistakes(dout: np.ndarray, s: np.ndarray) -> dict:
    per_example = dout * np.minimum(s, 0.0)
    return {"it averages over the batch: alpha is a parameter shared by every example, so "
            "its gradient is the sum over the batch, not the mean.": per_example.mean(axis=0),
            "it sums dout * s over every entry: only s < 0 depends on alpha, so sum "
            "dout * s where s < 0.": np.sum(dout * s, axis=0),
            "it sums dout where s < 0: the local gradient d(alpha s)/d alpha is s, so sum "
            "dout * s.": np.sum(dout * (s < 0), axis=0)}


PER_ENTRY = "it divides by m*K (np.mean over every entry): the lectures' MSE averages over "


def mse_loss_mistakes(y_hat: np.ndarray, y: np.ndarray) -> dict:
    return {PER_ENTRY + "the m examples and sums over the K outputs, (1/m) sum_i sum_c.":
            np.mean((y_hat - y) ** 2),
            "it averages over the outputs and sums over the batch: divide by m (examples), "
            "not by K (outputs).": np.sum((y_hat - y) ** 2) / y_hat.shape[1]}


def mse_gradient_mistakes(y_hat: np.ndarray, y: np.ndarray) -> dict:
    return {PER_ENTRY + "the m examples; its gradient is (2/m) (y_hat - y).":
            2 * (y_hat - y) / y_hat.size}


def bce_gradient_mistakes(s: np.ndarray, y: np.ndarray) -> dict:
    m, y_hat = s.shape[0], sigmoid64(s)
    return {"it is (s - y) / m: apply the sigmoid first, the gradient is (sigma(s) - y) / m.":
            (s - y) / m,
            "it is sigma(s) (1 - sigma(s)) (sigma(s) - y) / m: with cross-entropy the "
            "sigmoid's derivative cancels, leaving (sigma(s) - y) / m.":
            y_hat * (1 - y_hat) * (y_hat - y) / m}


def log_softmax64(s: np.ndarray) -> np.ndarray:
    shifted = s - np.max(s, axis=1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


def sce_loss_mistakes(s: np.ndarray, labels: np.ndarray) -> dict:
    return {"it sums -log softmax(s) over every class: only the true class y_i counts, "
            "-(1/m) sum_i log softmax(s_i)_{y_i}.": -np.sum(log_softmax64(s)) / s.shape[0]}


def sce_gradient_mistakes(s: np.ndarray, labels: np.ndarray) -> dict:
    m, one_hot = s.shape[0], np.eye(s.shape[1])[labels]
    return {"it is softmax(s) / m: subtract the one-hot targets, (softmax(s) - Y) / m.":
            softmax64(s) / m,
            "it is -Y / (m softmax(s)), the gradient with respect to the probabilities: "
            "through the softmax it becomes (softmax(s) - Y) / m.":
            -one_hot * np.exp(np.minimum(-log_softmax64(s), 700.0)) / m}
