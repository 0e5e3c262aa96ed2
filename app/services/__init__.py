"""Business rules, one module per domain; services flush, never commit, and never import routes or jobs."""
