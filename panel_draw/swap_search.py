"""Cheap pricing: improve a known feasible panel by swaps that keep every quota.

Column generation needs many panels of high dual weight; asking the MIP for each one is
what made the reference implementation slow. A swap (one person out of group a, one in from
group b) changes only the features where a and b differ, so its feasibility is a vectorised
check. Hill-climbing over swaps finds most improving panels; the MIP is asked only when it
finds none, and its answer then also proves the stage optimal.
"""

from __future__ import annotations

import numpy as np

from .pool import Pool

MAX_SWAPS = 10
GAIN_EPSILON = 1e-12
CHUNK = 256


class SwapSearch:
    def __init__(self, pool: Pool) -> None:
        self.sizes = np.array([g.size for g in pool.groups], dtype=np.int64)
        self.rows = np.array([g.quota_rows for g in pool.groups], dtype=np.int64)
        self.minimum = np.array([q.min for q in pool.quotas], dtype=np.int64)
        self.maximum = np.array([q.max for q in pool.quotas], dtype=np.int64)
        self.household = np.full(len(self.sizes), -1, dtype=np.int64)
        if pool.one_per_household:
            for index, groups in enumerate(pool.households):
                self.household[list(groups)] = index
        self.num_households = len(pool.households) if pool.one_per_household else 0

    def improve(self, counts: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Best-improvement swaps from `counts` until none raises the panel's weight."""
        counts = counts.copy()
        row_counts = np.bincount(
            self.rows.ravel(), weights=np.repeat(counts, self.rows.shape[1]),
            minlength=len(self.minimum),
        ).astype(np.int64)
        for _ in range(MAX_SWAPS):
            swap = self._best_swap(counts, row_counts, weights)
            if swap is None:
                break
            leaving, joining = swap
            counts[leaving] -= 1
            counts[joining] += 1
            np.subtract.at(row_counts, self.rows[leaving], 1)
            np.add.at(row_counts, self.rows[joining], 1)
        return counts

    def _best_swap(
        self, counts: np.ndarray, row_counts: np.ndarray, weights: np.ndarray
    ) -> tuple[int, int] | None:
        present = np.flatnonzero(counts > 0)
        open_groups = np.flatnonzero(counts < self.sizes)
        if len(present) == 0 or len(open_groups) == 0:
            return None
        # Duals are sparse: only pairs where someone heavier joins can gain, so prune first.
        open_groups = open_groups[weights[open_groups] > weights[present].min() + GAIN_EPSILON]
        if len(open_groups) == 0:
            return None
        present = present[weights[present] < weights[open_groups].max() - GAIN_EPSILON]
        if len(present) == 0:
            return None
        gain = weights[open_groups][None, :] - weights[present][:, None]
        candidates = np.flatnonzero(gain.ravel() > GAIN_EPSILON)
        if len(candidates) == 0:
            return None
        # Most of the time one of the best few gains is allowed: check those first, and only
        # then every candidate at once.
        flat_gain = gain.ravel()
        if len(candidates) > CHUNK:
            top = np.argpartition(-flat_gain[candidates], CHUNK)[:CHUNK]
            first_look = candidates[top[np.argsort(-flat_gain[candidates[top]], kind="stable")]]
        else:
            first_look = candidates[np.argsort(-flat_gain[candidates], kind="stable")]
        for pairs in (first_look, candidates):
            out_index, in_index = np.divmod(pairs, len(open_groups))
            allowed = self._pairs_allowed(
                present[out_index], open_groups[in_index], row_counts, counts
            )
            if allowed.any():
                best = int(np.argmax(np.where(allowed, flat_gain[pairs], -np.inf)))
                return int(present[out_index[best]]), int(open_groups[in_index[best]])
            if len(pairs) == len(candidates):
                break
        return None

    def _pairs_allowed(
        self, leaving: np.ndarray, joining: np.ndarray, row_counts: np.ndarray, counts: np.ndarray
    ) -> np.ndarray:
        rows_out = self.rows[leaving]  # (P, C)
        rows_in = self.rows[joining]
        can_leave = row_counts[rows_out] > self.minimum[rows_out]
        can_enter = row_counts[rows_in] < self.maximum[rows_in]
        allowed = ((rows_out == rows_in) | (can_leave & can_enter)).all(axis=1)
        allowed &= leaving != joining
        if self.num_households:
            seated = np.bincount(
                self.household[self.household >= 0],
                weights=counts[self.household >= 0], minlength=self.num_households,
            )
            household_in = self.household[joining]
            occupied = (household_in >= 0) & (seated[np.maximum(household_in, 0)] > 0)
            allowed &= ~occupied | (self.household[leaving] == household_in)
        return allowed
