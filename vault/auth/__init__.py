"""Who is calling (bearer tokens) and what they may do (the permission table)."""
