"""The build: the engine, its cache and up-to-date check, the checks on the output, the worker processes."""
