"""Lab 06's answer key: the reference optimizers driven over plain data, the mini-batch
epoch and the learning-rate schedules (and the reference update functions, the student
functions the visible checks are recorded on), and the wrong variants its checks' feedback
names (each a sentence and the value that mistake gives on the same inputs).

An optimizer keeps state, so nothing here hands one over: :func:`optimizer_trajectory`
(and :func:`nesterov_on_quadratic`) take the starting parameter, the gradients (or the
quadratic), the starting state and the hyperparameters, run the reference's step function
and return theta and the state after every step as arrays. The wrong update rules are
small numpy rules simulated the same way (:func:`update_rule_mistakes`).

The checks ask for these through their ``oracle``; the visible checks' answers are recorded
from here at release time, so none of this ships to students.
"""

from __future__ import annotations

import numpy as np

from reference.data import updates_per_epoch  # noqa: F401 - the oracle's answers
from reference.optim import (  # noqa: F401
    adagrad_step,
    adam_step,
    cosine_schedule,
    exponential_schedule,
    inverse_time_schedule,
    momentum_step,
    nesterov_on_quadratic,
    nesterov_step,
    optimizer_trajectory,
    rmsprop_step,
    sgd_step,
    step_schedule,
)
from reference.train import minibatch_epoch  # noqa: F401


def simulate(rule, theta, grads, state, hyper):
    """A (wrong) update rule driven like the student's: every step's theta and state."""
    thetas, states = [], [[] for _ in state]
    with np.errstate(all="ignore"):
        for g in grads:
            theta, *state = rule(theta, g, *state, **hyper)
            thetas.append(np.array(theta, dtype=np.float64))
            for j, value in enumerate(state):
                states[j].append(np.array(value, dtype=np.float64))
    return np.array(thetas), [np.array(s) for s in states]


SGD_WRONG = {
    "it is theta + alpha g: that climbs the loss. Gradient descent steps against the "
    "gradient, theta - alpha g.": lambda theta, g, lr: (theta + lr * g,),
    "the learning rate is missing: the step is alpha g, not g.": lambda theta, g, lr: (theta - g,),
}


def updates_per_epoch_mistakes(N, batch_size) -> dict:
    return {"N // batch_size drops the last, smaller mini-batch; the epoch has "
            "ceil(N / batch_size) updates.": N // batch_size}


def wrong_epoch(theta, X, y, lr, batch_size, order, *, divide_by=None, keep_last=True,
                factor=2.0, use_order=True):
    """Mini-batch epochs written wrongly in the ways students do."""
    order = np.asarray(order) if use_order else np.arange(len(order))
    theta = np.array(theta, dtype=np.float64)
    stop = len(order) if keep_last else len(order) - len(order) % batch_size
    for start in range(0, stop, batch_size):
        batch = order[start:start + batch_size]
        scale = {"batch": len(batch), "N": len(order), "batch_size": batch_size,
                 "none": 1}[divide_by or "batch"]
        r = X[batch] @ theta - y[batch]
        theta = theta - lr * factor * X[batch].T @ r / scale
    return theta


def epoch_mistakes(theta, X, y, lr, batch_size, order) -> dict:
    args = (theta, X, y, lr, batch_size, order)
    return {
        "it sums the squared errors of a mini-batch without the 1/|B|: each step should "
        "follow the gradient of the batch's *mean* squared error, (2/|B|) X_B^T (X_B theta "
        "- y_B).": wrong_epoch(*args, divide_by="none"),
        "it divides every mini-batch's gradient by N, the size of the whole training set: "
        "average over the examples of the batch, 1/|B|.": wrong_epoch(*args, divide_by="N"),
        "it drops the last, smaller mini-batch: when batch_size does not divide N the epoch "
        "still visits every example (the last batch holds the remainder).":
        wrong_epoch(*args, keep_last=False),
        "it divides the last, smaller mini-batch's gradient by batch_size: average over the "
        "examples the batch really holds, len(batch).": wrong_epoch(*args, divide_by="batch_size"),
        "it visits the examples as 0, 1, ..., N-1: cut the mini-batches from `order` (the "
        "shuffled order of the epoch).": wrong_epoch(*args, use_order=False),
        "it is missing the 2 of d/dy_hat (y_hat - y)^2 = 2 (y_hat - y).":
        wrong_epoch(*args, factor=1.0),
    }


MOMENTUM_WRONG = {
    "the learning rate is missing from the velocity: v <- mu v - alpha g.":
    lambda theta, g, v, lr, mu: (theta + (mu * v - g), mu * v - g),
    "theta moves against v (theta - v): in the lectures' convention v <- mu v - alpha g "
    "already points downhill, so theta <- theta + v.":
    lambda theta, g, v, lr, mu: (theta - (mu * v - lr * g), mu * v - lr * g),
    "v accumulates + alpha g: that climbs the loss; v <- mu v - alpha g.":
    lambda theta, g, v, lr, mu: (theta + (mu * v + lr * g), mu * v + lr * g),
    "theta moves by the old velocity: update v first, then theta <- theta + v_new.":
    lambda theta, g, v, lr, mu: (theta + v, mu * v - lr * g),
    "the returned v is PyTorch's buffer mu b + g, which is -v / alpha: this lab's v is the "
    "lectures' velocity, v <- mu v - alpha g.":
    lambda theta, g, v, lr, mu: (theta - lr * (mu * v + g), mu * v + g),
}


def nesterov_mistakes(A, b, theta0, lr, mu, steps) -> dict:
    def run(point, step_with_old_v=False):
        theta, v, thetas = theta0.copy(), np.zeros_like(theta0), []
        for _ in range(steps):
            v_new = mu * v - lr * (A @ point(theta, v) - b)
            theta = theta + (v if step_with_old_v else v_new)
            v = v_new
            thetas.append(theta)
        return np.array(thetas)

    return {
        "it takes the gradient at theta, which is plain momentum: Nesterov evaluates it at "
        "the look-ahead point theta + mu v.": run(lambda t, v: t),
        "it takes the gradient at theta - mu v: the look-ahead point is where momentum is "
        "about to carry theta, theta + mu v.": run(lambda t, v: t - mu * v),
        "it takes the gradient at theta + v: the look-ahead point is theta + mu v.":
        run(lambda t, v: t + v),
    }


ADAGRAD_WRONG = {
    "G accumulates g instead of g^2: G <- G + g^2 (elementwise).":
    lambda theta, g, G, lr, eps: (theta - lr * g / (np.sqrt(G + g) + eps), G + g),
    "eps is inside the square root: the lectures put it outside, alpha / (sqrt(G) + eps).":
    lambda theta, g, G, lr, eps: (theta - lr * g / np.sqrt(G + g * g + eps), G + g * g),
    "G is replaced by g^2 instead of accumulated: G <- G + g^2 sums over all steps "
    "(that is AdaGrad's point, and its weakness).":
    lambda theta, g, G, lr, eps: (theta - lr * g / (np.abs(g) + eps), g * g),
    "theta's step uses G before this step's g^2 is added: update G first, then theta.":
    lambda theta, g, G, lr, eps: (theta - lr * g / (np.sqrt(G) + eps), G + g * g),
    "the square root is missing: divide by sqrt(G) + eps.":
    lambda theta, g, G, lr, eps: (theta - lr * g / (G + g * g + eps), G + g * g),
}


def _rms(G, g, gamma):
    return gamma * G + (1 - gamma) * g * g


RMSPROP_WRONG = {
    "eps is inside the square root, sqrt(G + eps): for tiny gradients (sqrt(G) ~ eps) that "
    "shrinks the step; the lectures divide by sqrt(G) + eps.":
    lambda theta, g, G, lr, gamma, eps: (theta - lr * g / np.sqrt(_rms(G, g, gamma) + eps),
                                         _rms(G, g, gamma)),
    "eps^2 is inside the square root, sqrt(G + eps^2): equal for ordinary gradients, not "
    "when sqrt(G) ~ eps; the lectures divide by sqrt(G) + eps.":
    lambda theta, g, G, lr, gamma, eps: (theta - lr * g / np.sqrt(_rms(G, g, gamma) + eps**2),
                                         _rms(G, g, gamma)),
    "the weights of the moving average are swapped: G <- gamma G + (1 - gamma) g^2, with "
    "gamma (about 0.9) on the old G.":
    lambda theta, g, G, lr, gamma, eps: (
        theta - lr * g / (np.sqrt((1 - gamma) * G + gamma * g * g) + eps),
        (1 - gamma) * G + gamma * g * g),
    "the (1 - gamma) factor on g^2 is missing: G <- gamma G + (1 - gamma) g^2.":
    lambda theta, g, G, lr, gamma, eps: (theta - lr * g / (np.sqrt(gamma * G + g * g) + eps),
                                         gamma * G + g * g),
    "it accumulates G <- G + g^2 as AdaGrad does: RMSProp keeps a moving average, "
    "G <- gamma G + (1 - gamma) g^2.":
    lambda theta, g, G, lr, gamma, eps: (theta - lr * g / (np.sqrt(G + g * g) + eps), G + g * g),
    "theta's step uses G before this step's g^2 is averaged in: update G first.":
    lambda theta, g, G, lr, gamma, eps: (theta - lr * g / (np.sqrt(G) + eps), _rms(G, g, gamma)),
}


def adam_rule(*, bias1=lambda b, t: 1 - b**t, bias2=lambda b, t: 1 - b**t, t_used=lambda t: t,
              increment=1, eps_inside=False):
    """Adam with its bias corrections and step count pluggable, to simulate mistakes."""
    def rule(theta, g, m, v, t, lr, beta1, beta2, eps):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        tc = t_used(t)
        m_hat, v_hat = m / bias1(beta1, tc), v / bias2(beta2, tc)
        root = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
        return theta - lr * m_hat / root, m, v, t + increment
    return rule


ADAM_WRONG = {
    "v's bias correction is 1 - beta2^2 at every step (a typo for beta2^t): it agrees with "
    "the right one only at t = 2.": adam_rule(bias2=lambda b, t: 1 - b**2, t_used=lambda t: t + 1),
    "the bias corrections are missing: with m and v starting at zero, divide them by "
    "1 - beta1^t and 1 - beta2^t.": adam_rule(bias1=lambda b, t: 1, bias2=lambda b, t: 1),
    "t is incremented after the bias correction, so the correction uses t - 1: increment t "
    "first (the first step uses t = 1).": adam_rule(),
    "t is not incremented (the returned t is the one passed in): t counts the steps taken, "
    "t <- t + 1 at every step.": adam_rule(increment=0),
    "eps is inside the square root: Adam divides by sqrt(v_hat) + eps.":
    adam_rule(t_used=lambda t: t + 1, eps_inside=True),
    "both bias corrections use beta1: v's correction is 1 - beta2^t.":
    adam_rule(bias2=lambda b, t: 1 - 0.9**t, t_used=lambda t: t + 1),
}


# The wrong update rules of each of the student's update functions.
WRONG = {"sgd_step": SGD_WRONG, "momentum_step": MOMENTUM_WRONG, "adagrad_step": ADAGRAD_WRONG,
         "rmsprop_step": RMSPROP_WRONG, "adam_step": ADAM_WRONG}


def update_rule_mistakes(name, theta0, grads, state0, hyper) -> dict:
    """Each wrong rule of the student's function ``name`` driven over ``grads`` from theta0
    and the state ``state0`` (a list, in the order ``name`` takes it): ``{sentence: (every
    step's theta, [every step's value of each state item])}``."""
    return {sentence: simulate(rule, theta0, grads, list(state0), hyper)
            for sentence, rule in WRONG[name].items()}


def schedule_mistakes(name, ts, kwargs) -> dict:
    t = np.asarray(ts, dtype=np.float64)
    lr0 = kwargs["lr0"]
    with np.errstate(all="ignore"):
        if name == "step_schedule":
            drop, every = kwargs["drop"], kwargs["every"]
            return {"it decays smoothly, drop^(t / every): a step schedule holds alpha for "
                    "`every` steps, drop^floor(t / every) (use t // every).":
                    lr0 * drop ** (t / every),
                    "it drops one period early, drop^ceil(t / every): floor(t / every) keeps "
                    "lr0 for the first `every` steps.": lr0 * drop ** np.ceil(t / every),
                    "it drops the rate by `drop` at every step, drop^t: the drop comes every "
                    "`every` steps.": lr0 * drop ** t}
        if name == "exponential_schedule":
            k = kwargs["k"]
            return {"it is lr0 k^t: exponential decay is lr0 e^{-k t}.": lr0 * k**t,
                    "it is lr0 e^{k t}, which grows: the exponent is -k t.": lr0 * np.exp(k * t),
                    "it is lr0 e^{-k}, constant in t: the exponent is -k t.":
                    lr0 * np.exp(-k) + 0 * t}
        if name == "inverse_time_schedule":
            k = kwargs["k"]
            return {"it is lr0 / (k t), infinite at t = 0: 1/t decay is lr0 / (1 + k t).":
                    lr0 / (k * t),
                    "it is lr0 / (1 + t): k is missing, lr0 / (1 + k t).": lr0 / (1 + t),
                    "it is lr0 (1 + k t): the schedule divides by (1 + k t).": lr0 * (1 + k * t)}
        total, lr_min = kwargs["total"], kwargs.get("lr_min", 0.0)
        clamped = np.minimum(t, total)
        return {"it rises again after t = total: hold alpha at lr_min once t >= total "
                "(cos(pi min(t, total) / total)).":
                lr_min + (lr0 - lr_min) * (1 + np.cos(np.pi * t / total)) / 2,
                "the 1/2 is missing: (1 + cos) runs from 2 to 0, so alpha starts at 2 lr0.":
                lr_min + (lr0 - lr_min) * (1 + np.cos(np.pi * clamped / total)),
                "it starts at lr_min and rises: alpha_0 = lr0, (1 + cos(pi t / total)) / 2.":
                lr_min + (lr0 - lr_min) * (1 - np.cos(np.pi * clamped / total)) / 2,
                "lr_min is ignored: alpha_t = lr_min + (lr0 - lr_min) (1 + cos(...)) / 2.":
                lr0 * (1 + np.cos(np.pi * clamped / total)) / 2}
