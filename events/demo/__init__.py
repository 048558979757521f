"""Demo content of the events, loaded by `manage.py load_demo_content` (the words are data:
`content/events.toml`)."""

from events.demo.loader import load

__all__ = ["load"]
