"""The command line: one module per command; heavy imports only inside command bodies."""
