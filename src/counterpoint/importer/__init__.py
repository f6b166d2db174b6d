"""Bringing content in from elsewhere: other generators' blogs."""
