"""The partnership's plan as plain data and pure rules: no SDK, no database sessions."""
