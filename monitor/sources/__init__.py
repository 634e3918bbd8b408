"""Source kinds: what each `kind` in sources.toml fetches and parses. The table is kinds.py."""
