"""Forms of the company and internship screens, one module per area."""
