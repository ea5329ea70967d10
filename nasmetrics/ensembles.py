"""Learned combinations of training-free scores, judged only on architectures they never saw.

Every method fits on a training set and chooses everything there (which features, their signs,
k, the ridge penalty, the tree depth); the architectures it is judged on take no part.
Predictions are "goodness" scores: higher means a better architecture (lower loss, higher
GLUE). Features are any numeric columns: the training-free metrics, the architecture's own
description (nasmetrics/description.py), or both.

Methods
- ``best_single``: the one feature with the highest |Kendall tau| on the training set, signed
  by that tau (the honest version of "the best metric": chosen without the test labels).
- ``rank_sum``: the sum of the training-quantiles of the k features with the highest training
  |tau|, each signed by its training tau; k chosen by an inner K-fold on the training set.
- ``ridge``: ridge regression of the target's training quantile on the features' training
  quantiles; the penalty chosen by RidgeCV's leave-one-out over the training set.
- ``boosted_trees``: gradient-boosted trees (scikit-learn HistGradientBoostingRegressor, 100
  iterations, learning rate 0.1, at least a tenth of the training set, 2 to 20 architectures,
  per leaf) on the raw features (missing values handled natively), on the
  target's training quantile; the depth (2, 3 or 4) chosen by an inner K-fold on the training
  set, scored by Kendall tau.

A feature value maps to its training quantile (the share of training values at or below it);
a missing value maps to 0.5. Ranks, not raw values, because the metrics span orders of
magnitude and the RNN losses are heavy-tailed.

Evaluation (:func:`cross_validated`): repeated K-fold, K = 2 (half the architectures train,
the other half is judged; then the halves swap) repeated 5 times with new halves. On each
held-out half: Kendall tau, Spearman rho, precision at the top 10% and the median regret of a
best-of-N pick (N = 100, or the half's size if smaller) of the predictions against the
target; the table reports their mean and standard deviation over the 10 halves. Each half is
judged on its own: predictions of different models are never ranked against each other.
:func:`learning_curve` fits on small labelled sets and judges on all the others.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import RidgeCV
from sklearn.metrics import make_scorer
from sklearn.model_selection import GridSearchCV, KFold
from threadpoolctl import threadpool_limits

from nasmetrics.search import search_table
from nasmetrics.topk import topk_row

OUTER_SPLITS = 2
OUTER_REPEATS = 5
INNER_SPLITS = 3
TRAIN_SIZES = (25, 50, 100)
CURVE_REPEATS = 10
SEARCH_N = 100
# below this many architectures with a target there is nothing honest to learn: empty table
MIN_ARCHS = 20
DEPTHS = (2, 3, 4)
ALPHAS = np.logspace(-3, 3, 13)
METHODS = ("best_single", "rank_sum", "ridge", "boosted_trees")
ENSEMBLE_COLUMNS = ["method", "features", "n_features", "scheme", "n", "kendall_tau",
                    "kendall_tau_sd", "spearman_rho", "spearman_rho_sd", "precision_at_10",
                    "precision_at_10_sd", "search_n", "median_regret", "median_regret_sd"]
CURVE_COLUMNS = ["method", "features", "n_train", "n_test", "repeats", "kendall_tau",
                 "kendall_tau_sd"]


def feature_sets(metrics: pd.DataFrame, description: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The three feature sets every table compares, on the rows of ``metrics``."""
    description = description.loc[metrics.index]
    return {"metrics": metrics, "description": description,
            "metrics+description": metrics.join(description)}


def kendall(a: np.ndarray, b: np.ndarray) -> float:
    """tau-b over the finite pairs; NaN with fewer than 3 or a constant side."""
    keep = np.isfinite(a) & np.isfinite(b)
    a, b = a[keep], b[keep]
    if len(a) < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(stats.kendalltau(a, b).statistic)


class QuantileMap:
    """Each column's training quantile: the share of finite training values <= the value."""

    def fit(self, x: np.ndarray) -> QuantileMap:
        self.sorted = [np.sort(col[np.isfinite(col)]) for col in x.T]
        return self

    def transform(self, x: np.ndarray) -> np.ndarray:
        out = np.full(x.shape, 0.5)
        for j, ref in enumerate(self.sorted):
            col = x[:, j]
            ok = np.isfinite(col)
            if len(ref):
                out[ok, j] = np.searchsorted(ref, col[ok], side="right") / len(ref)
        return out


def _signed_taus(q: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.array([kendall(q[:, j], y) for j in range(q.shape[1])])


class BestSingle:
    def fit(self, x, y):
        self.map = QuantileMap().fit(x)
        taus = np.nan_to_num(_signed_taus(self.map.transform(x), y))
        self.j = int(np.argmax(np.abs(taus)))
        self.sign = 1.0 if taus[self.j] >= 0 else -1.0
        return self

    def predict(self, x):
        return self.sign * self.map.transform(x)[:, self.j]


class RankSum:
    def __init__(self, seed: int = 0):
        self.seed = seed

    @staticmethod
    def _order(q, y):
        taus = np.nan_to_num(_signed_taus(q, y))
        order = np.argsort(-np.abs(taus), kind="stable")
        return order, np.where(taus >= 0, 1.0, -1.0)

    def fit(self, x, y):
        p = x.shape[1]
        scores = np.zeros(p)
        inner = KFold(min(INNER_SPLITS, len(y)), shuffle=True, random_state=self.seed)
        for tr, va in inner.split(x):
            qmap = QuantileMap().fit(x[tr])
            order, signs = self._order(qmap.transform(x[tr]), y[tr])
            qv = qmap.transform(x[va]) * signs
            running = np.cumsum(qv[:, order], axis=1)
            scores += np.nan_to_num([kendall(running[:, k], y[va]) for k in range(p)])
        self.k = int(np.argmax(scores)) + 1
        self.map = QuantileMap().fit(x)
        self.order, self.signs = self._order(self.map.transform(x), y)
        return self

    def predict(self, x):
        q = self.map.transform(x) * self.signs
        return q[:, self.order[:self.k]].sum(axis=1)


class Ridge:
    def fit(self, x, y):
        self.map = QuantileMap().fit(x)
        self.ymap = QuantileMap().fit(y[:, None])
        self.model = RidgeCV(alphas=ALPHAS).fit(self.map.transform(x),
                                                self.ymap.transform(y[:, None])[:, 0])
        return self

    def predict(self, x):
        return self.model.predict(self.map.transform(x))


_TAU_SCORER = make_scorer(lambda y, p: np.nan_to_num(kendall(np.asarray(y), np.asarray(p))))


class BoostedTrees:
    def __init__(self, seed: int = 0):
        self.seed = seed

    def fit(self, x, y):
        self.ymap = QuantileMap().fit(y[:, None])
        yq = self.ymap.transform(y[:, None])[:, 0]
        # scikit-learn's 20 samples per leaf would leave a 25-architecture training set one
        # leaf: a tenth of the training set, between 2 and 20
        base = HistGradientBoostingRegressor(max_iter=100, learning_rate=0.1,
                                             min_samples_leaf=max(2, min(20, len(y) // 10)),
                                             early_stopping=False, random_state=self.seed)
        inner = KFold(min(INNER_SPLITS, len(y)), shuffle=True, random_state=self.seed)
        search = GridSearchCV(base, {"max_depth": list(DEPTHS)}, cv=inner,
                              scoring=_TAU_SCORER, n_jobs=1)
        # one OpenMP thread: these small fits lose more to thread start-up than they gain,
        # and a scoring job beside them would be oversubscribed
        with threadpool_limits(limits=1, user_api="openmp"):
            self.model = search.fit(x, yq).best_estimator_
        return self

    def predict(self, x):
        with threadpool_limits(limits=1, user_api="openmp"):
            return self.model.predict(x)


def make(method: str, seed: int = 0):
    if method == "best_single":
        return BestSingle()
    if method == "rank_sum":
        return RankSum(seed)
    if method == "ridge":
        return Ridge()
    if method == "boosted_trees":
        return BoostedTrees(seed)
    raise ValueError(f"unknown method {method!r}; known: {', '.join(METHODS)}")


def goodness(target: np.ndarray, target_higher: bool) -> np.ndarray:
    """The target oriented so that higher is better."""
    target = np.asarray(target, dtype=float)
    return target if target_higher else -target


def held_out_scores(pred: np.ndarray, good: np.ndarray, seed: int) -> dict[str, float]:
    """tau, rho, precision at the top 10% and best-of-N median regret of predictions against
    the oriented target on one held-out set (N = 100, or the set's size if smaller)."""
    size = min(SEARCH_N, len(good))
    df = pd.DataFrame({"good": good, "pred": pred})
    search = search_table(df, ["pred"], {"pred": True}, "good", True, sizes=(size,),
                          seed=seed)
    regret = search.set_index("method").at["pred", "median_regret"] if size >= 2 else np.nan
    return {"kendall_tau": kendall(pred, good),
            "spearman_rho": float(stats.spearmanr(pred, good).statistic),
            "precision_at_10": topk_row(pred, good, True, True)["precision_at_10"],
            "search_n": size,
            "median_regret": float(regret)}


def _summary_row(row: dict, folds: list[dict]) -> dict:
    """``row`` plus the mean and standard deviation over the held-out folds' figures."""
    res = pd.DataFrame(folds)
    row["search_n"] = int(res["search_n"].min())
    for col in ("kendall_tau", "spearman_rho", "precision_at_10", "median_regret"):
        row[col] = float(res[col].mean())
        row[f"{col}_sd"] = float(res[col].std(ddof=1)) if len(res) > 1 else np.nan
    return row


def cross_validated(features: dict[str, pd.DataFrame], target: pd.Series, target_higher: bool,
                    methods=METHODS, splits: int = OUTER_SPLITS, repeats: int = OUTER_REPEATS,
                    seed: int = 0, also_judge: dict[str, pd.Series] | None = None
                    ) -> pd.DataFrame:
    """Held-out figures of every method on every feature set (``features``: name -> frame
    indexed like ``target``), one row per (target, method, features). Architectures with a
    non-finite target are left out; with fewer than MIN_ARCHS left the table is empty.

    ``also_judge`` (name -> another target, oriented as ``target``): the same models, fitted
    on ``target``, are also judged against each of these on the same held-out folds (transfer:
    fit on GLUE, judge each task), one more row per name."""
    good = goodness(target.to_numpy(float), target_higher)
    keep = np.isfinite(good)
    others = {name: goodness(t.to_numpy(float), target_higher)[keep]
              for name, t in (also_judge or {}).items()}
    good = good[keep]
    scheme = f"{splits}-fold x {repeats} repeats, each held-out fold alone"
    rows = []
    if len(good) < MIN_ARCHS:
        return pd.DataFrame(rows, columns=["target", *ENSEMBLE_COLUMNS])
    for fname, frame in features.items():
        x = frame.to_numpy(float)[keep]
        for method in methods:
            per_fold: dict[str, list] = {name: [] for name in [target.name, *others]}
            for r in range(repeats):
                outer = KFold(splits, shuffle=True, random_state=seed + r)
                for tr, te in outer.split(x):
                    pred = make(method, seed + r).fit(x[tr], good[tr]).predict(x[te])
                    per_fold[target.name].append(held_out_scores(pred, good[te], seed + r))
                    for name, other in others.items():
                        ok = np.isfinite(other[te])
                        per_fold[name].append(held_out_scores(pred[ok], other[te][ok],
                                                              seed + r))
            for name, folds in per_fold.items():
                rows.append(_summary_row(
                    {"target": name, "method": method, "features": fname,
                     "n_features": x.shape[1],
                     "scheme": scheme if name == target.name
                     else f"{scheme}; fitted on {target.name}", "n": len(good)}, folds))
    return pd.DataFrame(rows, columns=["target", *ENSEMBLE_COLUMNS])


def learning_curve(features: dict[str, pd.DataFrame], target: pd.Series, target_higher: bool,
                   methods=METHODS, sizes=TRAIN_SIZES, repeats: int = CURVE_REPEATS,
                   seed: int = 0) -> pd.DataFrame:
    """Fit on ``size`` labelled architectures drawn at random (``repeats`` seeded draws),
    judge on every other one: held-out tau, mean and standard deviation over the draws
    (``repeats`` counts the draws whose prediction was not constant)."""
    good = goodness(target.to_numpy(float), target_higher)
    keep = np.isfinite(good)
    good = good[keep]
    n = len(good)
    rows = []
    for size in sizes:
        if size >= n - 2:
            continue
        rng = np.random.default_rng(seed + size)
        subsets = [rng.choice(n, size=size, replace=False) for _ in range(repeats)]
        for fname, frame in features.items():
            x = frame.to_numpy(float)[keep]
            for method in methods:
                taus = []
                for i, tr in enumerate(subsets):
                    te = np.setdiff1d(np.arange(n), tr)
                    model = make(method, seed + i).fit(x[tr], good[tr])
                    taus.append(kendall(model.predict(x[te]), good[te]))
                taus = np.asarray(taus)
                ok = taus[np.isfinite(taus)]  # NaN: a constant prediction
                rows.append({"method": method, "features": fname, "n_train": size,
                             "n_test": n - size, "repeats": len(ok),
                             "kendall_tau": float(ok.mean()) if len(ok) else np.nan,
                             "kendall_tau_sd": float(ok.std(ddof=1)) if len(ok) > 1
                             else np.nan})
    return pd.DataFrame(rows, columns=CURVE_COLUMNS)


def _own_quantiles(frame: pd.DataFrame) -> pd.DataFrame:
    """Each column's quantile within its own table (no labels read): puts two corpora's
    features on one scale, whatever shifts them (the parameter count grows with the
    vocabulary, the metrics with the input)."""
    return frame.rank(method="average", pct=True)


def transfer(source: dict[str, pd.DataFrame], source_target: pd.Series,
             dest: dict[str, pd.DataFrame], dest_target: pd.Series, target_higher: bool,
             methods=METHODS, splits: int = OUTER_SPLITS, repeats: int = OUTER_REPEATS,
             seed: int = 0) -> pd.DataFrame:
    """Fit on one benchmark's labels, judge on another's (PTB -> WikiText-2), on the
    architectures both hold: repeated K-fold over those, fitted on the training part's source
    features and labels, judged on the held-out part's destination features and labels, so
    no judged architecture's label of either benchmark was seen. Features are first put on
    their own table's quantiles (:func:`_own_quantiles`). Rows as :func:`cross_validated`,
    ``target`` naming the destination."""
    shared = source_target.index.intersection(dest_target.index)
    src_good = goodness(source_target.loc[shared].to_numpy(float), target_higher)
    dst_good = goodness(dest_target.loc[shared].to_numpy(float), target_higher)
    keep = np.isfinite(src_good) & np.isfinite(dst_good)
    shared, src_good, dst_good = shared[keep], src_good[keep], dst_good[keep]
    scheme = (f"{splits}-fold x {repeats} repeats over the shared architectures; fitted on "
              f"{source_target.name}")
    rows = []
    if len(shared) < MIN_ARCHS:
        return pd.DataFrame(rows, columns=["target", *ENSEMBLE_COLUMNS])
    for fname in source:
        xs = _own_quantiles(source[fname]).loc[shared].to_numpy(float)
        xd = _own_quantiles(dest[fname]).loc[shared].to_numpy(float)
        for method in methods:
            folds = []
            for r in range(repeats):
                for tr, te in KFold(splits, shuffle=True, random_state=seed + r).split(xs):
                    pred = make(method, seed + r).fit(xs[tr], src_good[tr]).predict(xd[te])
                    folds.append(held_out_scores(pred, dst_good[te], seed + r))
            rows.append(_summary_row(
                {"target": dest_target.name, "method": method, "features": fname,
                 "n_features": xs.shape[1], "scheme": scheme, "n": len(shared)}, folds))
    return pd.DataFrame(rows, columns=["target", *ENSEMBLE_COLUMNS])
