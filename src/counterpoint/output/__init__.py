"""Writing the output: the staging folder, the manifest, the search index."""
