"""Persistence: tables, migrations, the embedded plan data and narrow, intention-named queries."""
