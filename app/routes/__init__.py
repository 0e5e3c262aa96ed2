"""HTTP routes: thin handlers, one module per domain; any module with a `router` is served."""
