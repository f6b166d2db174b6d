"""Markdown and what it turns into: the essay and reader dialects with their render rules, code highlighting, sanitizing, slugs."""
