"""The one password every demo account shares, printed by `make run`; never used in production."""

DEMO_PASSWORD = "chorus-demo-password"  # noqa: S105 - printed for the demo; never in production
