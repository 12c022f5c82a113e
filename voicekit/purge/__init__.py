"""Purge: plan, confirm, delete only inside the workspace, re-scan, leave a receipt."""
