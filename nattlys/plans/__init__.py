"""plans area: the crisis plan, its versions, sharing and proposals."""
