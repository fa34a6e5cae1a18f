"""One cog per command group: ask, review, strategy, admin."""
