"""The sky of a scenario: how much of the clear-sky output each slot gets."""

from __future__ import annotations

import numpy as np


def cloud_index(sky: str, slots: int, rng: np.random.Generator) -> np.ndarray:
    """Clear-sky index per slot: a two-state (sun/cloud) Markov chain, smoothed."""
    p_stay, sun_k, cloud_k = {
        "clear": (0.99, 0.97, 0.75), "broken": (0.85, 0.95, 0.35), "overcast": (0.9, 0.45, 0.2),
    }[sky]
    state, k = bool(rng.random() < 0.6), np.empty(slots)
    for i in range(slots):
        if rng.random() > p_stay:
            state = not state
        base = sun_k if state else cloud_k
        k[i] = base + rng.normal(0, 0.04)
    k = np.convolve(k, np.ones(2) / 2, mode="same")
    return np.clip(k, 0.08, 1.05)
