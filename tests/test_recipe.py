import json

import pytest

from nasmetrics.rnn.recipe import RecipeError, parse_recipe

LSTM_LIKE = {
    "i": {"op": "linear", "input": ["x", "h_prev_0"]},
    "i_act": {"op": "activation_sigm", "input": ["i"]},
    "c": {"op": "linear", "input": ["x", "h_prev_0"]},
    "c_act": {"op": "activation_tanh", "input": ["c"]},
    "h_new_1": {"op": "blend", "input": ["i_act", "c_act", "h_prev_1"]},
    "h_new_0": {"op": "activation_tanh", "input": ["h_new_1"]},
}


def test_parse_orders_nodes_and_counts_outputs():
    r = parse_recipe(json.dumps(LSTM_LIKE))
    assert r.hidden_tuple_size == 2
    assert r.n_nodes == 6
    order = [n.name for n in r.nodes]
    for node in r.nodes:
        for inp in node.inputs:
            if inp in LSTM_LIKE:
                assert order.index(inp) < order.index(node.name)
    assert [n.name for n in r.linear_nodes] == ["i", "c"]
    assert len(r.activation_nodes) == 3


def test_unknown_op_names_node_and_op():
    bad = dict(LSTM_LIKE, i={"op": "conv", "input": ["x"]})
    with pytest.raises(RecipeError, match=r"node 'i': unknown op 'conv'"):
        parse_recipe(bad)


def test_cycle_is_reported_with_its_nodes():
    bad = dict(LSTM_LIKE)
    bad["i"] = {"op": "linear", "input": ["x", "h_new_0"]}
    with pytest.raises(RecipeError, match="cycle among nodes .*h_new_0.*i"):
        parse_recipe(bad)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"h_new_0": None}, "no output node 'h_new_0'"),
        ({"c": {"op": "linear", "input": ["x", "h_prev_5"]}}, "outside the hidden tuple"),
        ({"c": {"op": "linear", "input": ["nowhere"]}}, "unknown input 'nowhere'"),
        ({"c_act": {"op": "activation_tanh", "input": ["x"]}}, "cannot take the layer input"),
        ({"h_new_1": {"op": "blend", "input": ["i_act", "c_act"]}}, "takes 3 inputs"),
    ],
)
def test_invalid_recipes(change, message):
    bad = {k: v for k, v in LSTM_LIKE.items() if change.get(k, v) is not None}
    bad.update({k: v for k, v in change.items() if v is not None})
    with pytest.raises(RecipeError, match=message):
        parse_recipe(bad)


def test_not_json():
    with pytest.raises(RecipeError, match="not valid JSON"):
        parse_recipe("{oops")
