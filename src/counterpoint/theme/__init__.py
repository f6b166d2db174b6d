"""The theme: its templates and static files, the Jinja runtime, and the context every template gets."""
