"""Built-in connector plugins, one folder per register; installed as microcred_hub_connectors."""
