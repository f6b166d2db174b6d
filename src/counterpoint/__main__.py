from counterpoint.cli import run

run()
