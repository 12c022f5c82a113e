"""The filters stage and its backends."""
