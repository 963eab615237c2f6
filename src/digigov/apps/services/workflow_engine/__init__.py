"""The BPMN engine behind a small interface (STYLE rule 5): base.py is the interface,
registry.py picks the implementation, contrib/ holds them (SpiffWorkflow by default)."""
