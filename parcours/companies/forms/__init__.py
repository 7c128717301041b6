"""Forms of the companies screens, one module per area."""
