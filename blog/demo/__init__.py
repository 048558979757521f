"""Demo content of the public site, loaded by `manage.py load_demo_content`.

The words are data: `content/*.toml` holds the pages, posts, images' titles and descriptions,
categories, the author and the home page, so changing a sentence needs no Python. `loader` writes
them into the database (once: see its docstring), `blocks` turns a body from a file into
StreamField data and `art` draws the pictures.
"""

from blog.demo.loader import STAFF_EMAIL, load, load_member_pages, load_staff_account, page_body

__all__ = ["STAFF_EMAIL", "load", "load_member_pages", "load_staff_account", "page_body"]
