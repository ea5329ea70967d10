"""Every config key is documented, and the default preset is the schema's defaults."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def schema_keys(node: dict, prefix: str = "") -> list[str]:
    keys = []
    for name, sub in node.get("properties", {}).items():
        keys.append(prefix + name)
        if sub.get("type") == "object":
            keys += schema_keys(sub, f"{prefix}{name}.")
    return keys


def leaves(node: dict, prefix: str = "") -> dict:
    out = {}
    for name, value in node.items():
        if isinstance(value, dict):
            out.update(leaves(value, f"{prefix}{name}."))
        else:
            out[prefix + name] = value
    return out


def test_every_schema_key_has_a_row_in_the_configuration_docs():
    schema = yaml.safe_load((ROOT / "config" / "schema.yaml").read_text())
    docs = (ROOT / "docs" / "configuration.md").read_text()
    keys = set(schema_keys(schema)) - {"rnn", "bert", "rnn.ablation", "bert.ablation"}
    assert len(keys) == 30
    assert sorted(k for k in keys if f"| `{k}` |" not in docs) == []


def test_default_preset_equals_schema_defaults():
    schema = yaml.safe_load((ROOT / "config" / "schema.yaml").read_text())
    config = leaves(yaml.safe_load((ROOT / "config" / "config.yaml").read_text()))

    def defaults(node, prefix=""):
        out = {}
        for name, sub in node.get("properties", {}).items():
            if sub.get("type") == "object":
                out.update(defaults(sub, f"{prefix}{name}."))
            else:
                out[prefix + name] = sub["default"]
        return out

    assert config == defaults(schema)
