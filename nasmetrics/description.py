"""Features read straight from an architecture's description, no network built.

The baseline a learned combination of training-free metrics has to beat: if counting what an
architecture is made of ranks it as well as the metrics do, the metrics add nothing. Both
functions take the side's archs.parquet table and return one row per architecture, indexed by
``arch_id``, with a fixed set of numeric columns.

- RNN (from the recipe): the count of nodes of each op, the number of nodes, the number of
  linear-node inputs in all and of those reading ``x`` or a previous hidden state, and the
  hidden-tuple size.
- Transformer: hidden size, layer count, per operation type and per (type, parameter) the
  number of layers using it, the heads, feed-forward dimensions and feed-forward layer counts
  summed over layers, and their means per layer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nasmetrics.rnn.recipe import OPS, RecipeError, parse_recipe

BERT_OPERATIONS = {"SA": ("SDP", "WMA"), "LT": ("DFT", "DCT"), "DSC": ("5", "9", "13")}


def rnn_description(archs: pd.DataFrame) -> pd.DataFrame:
    """One row per recipe (NaN where the recipe does not parse)."""
    rows = []
    for arch_id, recipe in zip(archs["arch_id"], archs["recipe"], strict=True):
        row: dict[str, float] = {"arch_id": arch_id}
        try:
            parsed = parse_recipe(recipe)
        except (RecipeError, TypeError, ValueError):
            rows.append(row)
            continue
        for op in OPS:
            row[f"n_{op}"] = sum(n.op == op for n in parsed.nodes)
        linear_inputs = [i for n in parsed.linear_nodes for i in n.inputs]
        row.update(
            n_nodes=parsed.n_nodes,
            n_linear_inputs=len(linear_inputs),
            n_inputs_x=sum(i == "x" for i in linear_inputs),
            n_inputs_h_prev=sum(i.startswith("h_prev_") for i in linear_inputs),
            hidden_tuple_size=parsed.hidden_tuple_size,
        )
        rows.append(row)
    columns = ["arch_id", *[f"n_{op}" for op in OPS], "n_nodes", "n_linear_inputs",
               "n_inputs_x", "n_inputs_h_prev", "hidden_tuple_size"]
    return pd.DataFrame(rows, columns=columns).set_index("arch_id").astype(float)


def bert_description(archs: pd.DataFrame) -> pd.DataFrame:
    """One row per transformer architecture."""
    rows = []
    for arch in archs.itertuples():
        types = list(arch.type)
        params = [str(p) for p in arch.parameter]
        row: dict[str, float] = {"arch_id": arch.arch_id, "hidden_size": arch.hidden_size,
                                 "n_layers": arch.n_layers}
        for op, op_params in BERT_OPERATIONS.items():
            row[f"n_{op}"] = types.count(op)
            for p in op_params:
                row[f"n_{op}_{p}"] = sum(t == op and q == p for t, q in zip(types, params,
                                                                             strict=True))
        for col in ("heads", "ff_dim", "ff_layers"):
            values = np.asarray(getattr(arch, col), dtype=float)
            row[f"sum_{col}"] = float(values.sum())
            row[f"mean_{col}"] = float(values.mean())
        rows.append(row)
    return pd.DataFrame(rows).set_index("arch_id").astype(float)
