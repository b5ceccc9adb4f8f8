"""One module per command: ``run(args) -> exit code``."""
