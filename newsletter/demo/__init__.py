"""Demo content of the newsletter, loaded by `manage.py load_demo_content`.

The subscribers and the issues' words are data (`content/*.toml`); `loader` writes them, recording
the sent issue as sent without mailing anyone.
"""

from newsletter.demo.loader import DEMO_ISSUE_SUBJECT, DEMO_SUBSCRIBERS, load

__all__ = ["DEMO_ISSUE_SUBJECT", "DEMO_SUBSCRIBERS", "load"]
