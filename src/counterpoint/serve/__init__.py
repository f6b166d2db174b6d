"""serve: the development server, the watcher, the rebuilder and the live-reload script."""
