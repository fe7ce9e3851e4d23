"""Lab 06's hidden checks: random shapes, rates and starting states drawn from the grading
seed, longer trajectories, Adam resumed at a large step count, and the schedules on random
settings.

They add to the questions of :mod:`nnlabs.checks.lab06` and use its helpers; their
``oracle`` is the answer key, :mod:`autograder.answers.lab06`.
"""

from __future__ import annotations

import math

import numpy as np

from nnlabs.checks.lab06 import (
    adam,
    adam_hyper,
    check_epoch,
    check_nesterov,
    check_schedule,
    check_update_rule,
    check_updates_per_epoch,
    minibatch,
    momentum,
    momentum_state,
    nesterov,
    quadratic,
    random_shape,
    rmsprop,
    schedules,
    sgd,
)


@sgd.check(points=1, hidden=True)
def test_sgd_step_follows_the_reference_on_random_shapes_and_rates(student, oracle, rng):
    shape = random_shape(rng)
    lr = float(rng.uniform(0.01, 0.5))
    theta0, grads = rng.normal(size=shape), rng.normal(size=(8, *shape))
    check_update_rule(student, oracle, "sgd_step", theta0, grads, (), {"lr": lr},
                      f"sgd_step(theta, g, lr={lr:.3g}), shape {shape}, 8 steps")


@minibatch.check(points=1, hidden=True)
def test_updates_per_epoch_on_random_sizes(student, oracle, rng):
    for _ in range(4):
        N = int(rng.integers(5, 300))
        check_updates_per_epoch(student, oracle, N, int(rng.integers(1, N + 1)))


@minibatch.check(points=1, hidden=True)
def test_minibatch_epoch_is_batch_online_and_mini_batch_learning(student, oracle, rng):
    N, D = int(rng.integers(9, 20)), int(rng.integers(2, 5))
    batch_size = int(rng.integers(2, N // 2))
    if N % batch_size == 0:
        N += 1
    check_epoch(student, oracle, rng, N, D, N, f"N = {N}: batch learning, one step")
    check_epoch(student, oracle, rng, N, D, 1, f"N = {N}: online learning, N steps")
    check_epoch(student, oracle, rng, N, D, batch_size, f"N = {N}: mini-batches")


@momentum.check(points=1, hidden=True)
def test_momentum_step_follows_the_reference_from_a_nonzero_velocity(student, oracle, rng):
    shape = random_shape(rng)
    lr, mu = float(rng.uniform(0.01, 0.3)), float(rng.uniform(0.5, 0.99))
    theta0, grads = rng.normal(size=shape), rng.normal(size=(10, *shape))
    check_update_rule(student, oracle, "momentum_step", theta0, grads, momentum_state(rng)(shape),
                      {"lr": lr, "mu": mu}, f"momentum_step, lr={lr:.3g}, mu={mu:.3g}, shape "
                      f"{shape}, 10 steps from a nonzero v")


@nesterov.check(points=1, hidden=True)
def test_nesterov_step_follows_the_reference_on_random_quadratics(student, oracle, rng):
    D = int(rng.integers(2, 6))
    A, b = quadratic(rng, D, float(rng.uniform(5, 50)))
    lr, mu = float(rng.uniform(0.005, 0.02)), float(rng.uniform(0.6, 0.95))
    check_nesterov(student, oracle, A, b, rng.normal(size=D), lr, mu, 12,
                   f"nesterov_step, lr={lr:.3g}, mu={mu:.3g}, D={D}, 12 steps")


@rmsprop.check(points=1, hidden=True)
def test_rmsprop_step_follows_the_reference_on_random_inputs(student, oracle, rng):
    shape = random_shape(rng)
    lr, gamma = float(rng.uniform(0.001, 0.1)), float(rng.uniform(0.8, 0.99))
    eps = float(10.0 ** rng.uniform(-8, -6))
    size = math.prod(shape)
    scales = np.geomspace(eps / 3, 10.0, num=size).reshape(shape)
    grads = rng.normal(size=(8, *shape)) * scales
    check_update_rule(student, oracle, "rmsprop_step", rng.normal(size=shape), grads,
                      (rng.uniform(0, 1, size=shape) * scales**2,),
                      {"lr": lr, "gamma": gamma, "eps": eps},
                      f"rmsprop_step, lr={lr:.3g}, gamma={gamma:.3g}, eps={eps:.2g}, shape "
                      f"{shape}, 8 steps, gradients of size {eps / 3:.1g} to 10")


@adam.check(points=1, hidden=True)
def test_adam_step_follows_the_reference_on_random_inputs(student, oracle, rng):
    shape = random_shape(rng)
    hyper = adam_hyper(rng)
    grads = rng.normal(size=(10, *shape)) * np.geomspace(0.01, 10, num=math.prod(shape)).reshape(
        shape)
    zeros = np.zeros(shape)
    check_update_rule(student, oracle, "adam_step", rng.normal(size=shape), grads,
                      (zeros, zeros, 0), hyper, f"adam_step, lr={hyper['lr']:.3g}, "
                      f"beta1={hyper['beta1']:.3g}, shape {shape}, steps t = 1 to 10")


@adam.check(points=1, hidden=True)
def test_adam_step_resumes_at_a_large_step_count(student, oracle, rng):
    shape = random_shape(rng)
    hyper = adam_hyper(rng)
    t0 = int(rng.integers(50, 1000))
    m0 = 0.1 * rng.normal(size=shape)
    v0 = rng.uniform(0.001, 0.01, size=shape)
    grads = rng.normal(size=(5, *shape))
    check_update_rule(student, oracle, "adam_step", rng.normal(size=shape), grads,
                      (m0, v0, t0), hyper, f"adam_step resumed at t = {t0} (steps t = "
                      f"{t0 + 1} to {t0 + 5}), shape {shape}")


@schedules.check(points=1, hidden=True)
def test_schedules_match_the_reference_on_random_settings(student, oracle, rng):
    lr0 = float(rng.uniform(0.01, 1.0))
    every = int(rng.integers(2, 8))
    ts = sorted({0, every - 1, every, 2 * every + 1, *(int(t) for t in rng.integers(0, 60, 3))})
    check_schedule(student, oracle, "step_schedule", ts,
                   {"lr0": lr0, "drop": float(rng.uniform(0.1, 0.9)), "every": every})
    k = float(rng.uniform(0.01, 0.5))
    ts = sorted({0, 1, *(int(t) for t in rng.integers(2, 100, 4))})
    check_schedule(student, oracle, "exponential_schedule", ts, {"lr0": lr0, "k": k})
    check_schedule(student, oracle, "inverse_time_schedule", ts, {"lr0": lr0, "k": k})


@schedules.check(points=1, hidden=True)
def test_cosine_schedule_anneals_to_lr_min_and_stays_there(student, oracle, rng):
    total = int(rng.integers(10, 100))
    lr0, lr_min = float(rng.uniform(0.05, 1.0)), float(rng.uniform(0.0, 0.01))
    ts = [0, 1, total // 3, total // 2, total - 1, total, total + 1, 2 * total - 1]
    check_schedule(student, oracle, "cosine_schedule", ts,
                   {"lr0": lr0, "total": total, "lr_min": lr_min})
