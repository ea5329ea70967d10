"""What each defect of the paper's transformer code changes, measured (results/bert/audit.csv).

One row per measured quantity: ``quirk`` names the defect (docs/bert.md lists them),
``faithful`` / ``corrected`` are our two modes, ``published`` the paper's file, ``note`` says
how to read the row. Corrected mode fixes sizes, dropout and the padding mask together, so a
tau moving between the modes is the effect of all three; rows say which defect is the one the
metric is known to be sensitive to. Published taus are over the architectures we scored.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from scipy import stats

from nasmetrics.bert.metrics import BERT_METRICS
from nasmetrics.bert.mlm import MLMHead, mlm_loss_sum
from nasmetrics.bert.model import Encoder
from nasmetrics.correlate import correlate
from nasmetrics.seeding import seed_everything

COLUMNS = ["quirk", "quantity", "faithful", "corrected", "published", "note"]


def gradient_signal(arch, input_ids, attention_mask, mode: str = "faithful",
                    seed: int = 0, mlm=None) -> dict[str, float]:
    """Mean |position-embedding gradient| after the paper's backward of ones from the last
    hidden state, after a backward of standard-normal noise, and (with ``mlm`` = masked ids
    and labels, corrected mode) after the backward of the MLM loss that corrected mode
    reads; same model and input.

    Every layer ends in a LayerNorm (gain 1 at initialisation); a LayerNorm passes back
    g - mean(g) - x_hat * mean(g * x_hat), which is exactly zero for a constant g. So in exact
    arithmetic the backward of ones gives zero gradients everywhere below the last LayerNorm;
    what the gradient-based metrics read is float rounding residue. The ratio shows its size.
    """
    out = {}
    sources = ("ones", "normal") if mlm is None or mode == "faithful" else (
        "ones", "normal", "mlm")
    for name in sources:
        seed_everything(seed)
        model = Encoder(arch, faithful=mode == "faithful")
        model.train(mode == "faithful")
        # the head as scoring builds it (right after the encoder), for the MLM source only
        head = MLMHead(model.hidden_size) if name == "mlm" else None
        ids = torch.as_tensor(mlm[0] if name == "mlm" else input_ids)
        mask = None if mode == "faithful" else torch.as_tensor(attention_mask)
        hidden = model(ids, mask)
        if name == "mlm":
            loss, n = mlm_loss_sum(model, head, hidden, torch.as_tensor(mlm[1]))
            (loss / n).backward()
        else:
            g = torch.ones_like(hidden) if name == "ones" else torch.randn(
                hidden.shape, generator=torch.Generator().manual_seed(seed))
            hidden.backward(g)
        out[name] = float(model.embeddings.position_embeddings.weight.grad.abs().mean())
    return out


def _gradient_metrics() -> list[str]:
    """The registered metrics that read a backward pass, without their normalized twins."""
    twins = {m.normalized for m in BERT_METRICS.metrics()}
    return [m.name for m in BERT_METRICS.metrics() if m.needs_gradient and m.name not in twins
            and m.family == "paper"]


def _tau(df: pd.DataFrame | None, metric: str, target: str = "glue") -> float:
    if df is None or metric not in df.columns:
        return np.nan
    return correlate(df[metric].to_numpy(float), df[target].to_numpy(float))["kendall_tau"]


def _agreement(ours: pd.DataFrame | None, published: pd.DataFrame, ours_col: str,
               pub_col: str) -> float:
    if ours is None:
        return np.nan
    j = ours[["arch_id", ours_col]].merge(published[["arch_id", pub_col]], on="arch_id",
                                          suffixes=("", "_pub"))
    a = j[ours_col].to_numpy(float)
    b = j[pub_col if pub_col != ours_col else f"{pub_col}_pub"].to_numpy(float)
    return _spearman(a, b)


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman over the finite pairs; NaN with fewer than 3 or a constant side."""
    keep = np.isfinite(a) & np.isfinite(b)
    a, b = a[keep], b[keep]
    if len(a) < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return np.nan
    return float(stats.spearmanr(a, b).statistic)


def hook_multipliers(ours: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """Per architecture: published raw activation distance / (published normalized x our GELU
    count). The published normalized column is the true mean over the GELU outputs, so this is
    the number of times each output was counted: the hooks piled up on a shared GELU module.

    Our own sums cannot be divided in directly: our input text differs from the paper's
    (OpenWebText is not public), so our sums differ by a non-integer factor.
    """
    raw, mean = "activation_distance", BERT_METRICS.get("activation_distance").normalized
    j = ours[["arch_id", raw, mean]].merge(published[["arch_id", raw, mean]], on="arch_id",
                                           suffixes=("_ours", "_pub"))
    n_gelu = np.rint(j[f"{raw}_ours"] / j[f"{mean}_ours"])
    mult = j[f"{raw}_pub"] / (j[f"{mean}_pub"] * n_gelu)
    return pd.DataFrame({"arch_id": j["arch_id"], "n_gelu": n_gelu, "multiplier": mult})


def quirk_audit(
    faithful: pd.DataFrame | None,
    corrected: pd.DataFrame | None,
    published: pd.DataFrame,
    checkpoints: pd.DataFrame | None = None,
    signal: dict[str, dict[str, float]] | None = None,
) -> pd.DataFrame:
    """``signal``: per mode, :func:`gradient_signal` of one architecture (optional)."""
    # The published column is compared on the architectures we scored (all 500 by default).
    ours_ids = set()
    for df in (faithful, corrected):
        if df is not None:
            ours_ids |= set(df["arch_id"])
    if ours_ids:
        published = published[published["arch_id"].isin(ours_ids)]
    rows = []

    def add(quirk, quantity, f=np.nan, c=np.nan, p=np.nan, note=""):
        rows.append(dict(zip(COLUMNS, [quirk, quantity, f, c, p, note], strict=True)))

    # 1. every model built at hidden 256 / feed-forward 1024
    def n_equal(df):
        if df is None:
            return np.nan
        j = df[["arch_id", "num_params"]].merge(published[["arch_id", "num_params"]],
                                                on="arch_id", suffixes=("", "_pub"))
        return int((j["num_params"] == j["num_params_pub"]).sum())

    n_pub = len(published)  # architectures compared
    add("fixed_sizes", "architectures whose num_params equals the published count",
        n_equal(faithful), n_equal(corrected), n_pub,
        "faithful builds hidden 256 / ff 1024 like the paper; corrected honours each "
        "architecture's own sizes")
    add("fixed_sizes", "num_params kendall tau vs GLUE", _tau(faithful, "num_params"),
        _tau(corrected, "num_params"), _tau(published, "num_params"),
        "docs/bert.md: .454 published, .485 with the architectures' own sizes")

    # 2. activation-distance hooks on a shared GELU module
    if faithful is not None:
        mult = hook_multipliers(faithful, published).sort_values("arch_id")
        m = mult["multiplier"].to_numpy(float)
        integer = np.abs(m - np.rint(m)) < 1e-3 * np.maximum(1.0, np.abs(m))
        add("shared_gelu_scaling", "share of architectures whose hook multiplier is an integer",
            float(integer.mean()) if len(m) else np.nan,
            note="multiplier = published raw / (published normalized x our GELU count)")
        steps = np.diff(np.rint(m))
        restarts = mult["arch_id"].to_numpy()[1:][steps < 0]
        note = (f"grows from {m[0]:.0f} (id {int(mult['arch_id'].iloc[0])}) to "
                f"{np.nanmax(m):.0f} (id {int(mult['arch_id'].iloc[int(np.nanargmax(m))])})")
        if len(restarts):
            note += ("; restarts at id " + ", ".join(str(int(i)) for i in restarts)
                     + " (a new session: a fresh shared GELU module)")
        add("shared_gelu_scaling", "restarts of the hook multiplier (it otherwise grows with "
            "the id)", float(len(restarts)) if len(m) else np.nan, note=note)
    add("shared_gelu_scaling", "activation_distance kendall tau vs GLUE",
        _tau(faithful, "activation_distance"), _tau(corrected, "activation_distance"),
        _tau(published, "activation_distance"),
        "published raw column: true sum x a multiplier that grows with the id")
    add("shared_gelu_scaling", "activation_distance_normalized kendall tau vs GLUE",
        _tau(faithful, "activation_distance_normalized"),
        _tau(corrected, "activation_distance_normalized"),
        _tau(published, "activation_distance_normalized"),
        "the normalized column is unaffected: compare it directly")
    add("shared_gelu_scaling", "activation_distance_normalized: Spearman ours vs published",
        _agreement(faithful, published, "activation_distance_normalized",
                   "activation_distance_normalized"),
        _agreement(corrected, published, "activation_distance_normalized",
                   "activation_distance_normalized"))

    # 3. dropout active, 4. no padding mask: confidence metrics read raw activations
    for metric, quirk, note in (
        ("head_confidence", "dropout_active",
         "dropout scales and zeroes the linear outputs whose maxima this metric averages"),
        ("head_softmax_confidence", "no_padding_mask",
         "without the mask, attention spreads over padding positions"),
        ("activation_distance_normalized", "no_padding_mask",
         "padding positions add their GELU codes"),
    ):
        add(quirk, f"{metric} kendall tau vs GLUE", _tau(faithful, metric),
            _tau(corrected, metric), _tau(published, metric),
            note + "; corrected mode also changes sizes and dropout")

    # 5. the published "Jacobian Score Normalized" column is the Jacobian cosine score
    add("mislabelled_jacobian", "published 'Jacobian Score Normalized' vs our jacobian_cos "
        "(Spearman)", _agreement(faithful, published, "jacobian_cos", "jacobian_cos"),
        note="agreement with the cosine score shows what the column holds")
    if faithful is not None:
        j = faithful[["arch_id", "jacobian_cov"]].merge(
            published[["arch_id", "jacobian_cos"]], on="arch_id")
        add("mislabelled_jacobian", "published 'Jacobian Score Normalized' vs our "
            "jacobian_cov (Spearman)",
            _spearman(j["jacobian_cov"].to_numpy(float), j["jacobian_cos"].to_numpy(float)))
    add("mislabelled_jacobian", "jacobian_cos kendall tau vs GLUE", _tau(faithful, "jacobian_cos"),
        _tau(corrected, "jacobian_cos"), _tau(published, "jacobian_cos"))

    # 6. (found here, not in the paper) the backward of ones is zero in exact arithmetic
    if signal:
        ratio = {m: v["ones"] / v["normal"] for m, v in signal.items()}
        add("backward_of_ones", "mean |position-embedding gradient|: backward of ones / "
            "backward of N(0,1) noise (architecture 0)", ratio.get("faithful", np.nan),
            ratio.get("corrected", np.nan),
            note="every layer ends in a LayerNorm, which maps a constant gradient to zero: "
            "with it the gradient-based metrics (" + ", ".join(_gradient_metrics()) + ") read "
            "float rounding residue; faithful mode keeps it")
        mlm = signal.get("corrected", {}).get("mlm", np.nan)
        add("backward_of_ones", "mean |position-embedding gradient|: MLM loss (what corrected "
            "mode reads) / backward of N(0,1) noise (architecture 0)",
            c=mlm / signal["corrected"]["normal"] if "corrected" in signal else np.nan,
            note="corrected mode takes its gradients from the masked-language-model loss: a "
            "real signal, not residue (different scale from the noise: compare with the "
            "row above)")

    # 7. the pre-training ablation's checkpoints
    if checkpoints is not None:
        for step, earlier in ((500_000, 50_000), (1_000_000, 100_000)):
            hits = checkpoints[(checkpoints["step"] == step)
                               & (checkpoints["duplicate_of"] == earlier)]
            add("checkpoint_mixup", f"architectures whose {step}-step GLUE repeats the "
                f"{earlier}-step one", p=len(hits),
                note=f"of {checkpoints['arch_id'].nunique()} in the pre-training ablation; "
                "ids " + ",".join(str(i) for i in sorted(hits["arch_id"])))
    return pd.DataFrame(rows, columns=COLUMNS)
