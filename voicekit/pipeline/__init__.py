"""Stage contract, runner and backend registry."""
