"""What a reader sees of the layout, in headless Chromium, at the widths people use.

- the header's buttons keep their text on one line and their padding;
- a page shows one newsletter sign-up form (the home page and the newsletter's own page have
  theirs, so the footer's is left out there);
- a post without an image keeps its card the shape of the others, so a grid has no hole;
- every card picture is served at least as wide as it is shown, and no wider than needed: the
  `sizes` of each grid matches the layout at every breakpoint.

The data is made once for the module and only read by its tests.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.images import ImageFile
from PIL import Image

# The three underscored fixtures replace the suite's: this module's data is built once.
from tests.e2e.helpers import _clear_cache, _live_server_helper, _media_root, guard_hosts  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

WIDTHS = (320, 375, 768, 1280, 1400, 1440)
CARD_WIDTHS = (480, 960)  # blog.selectors.CARD_IMAGE_SPEC


def _image(title: str):
    from tests.factories.blog import SiteImageFactory

    output = io.BytesIO()
    Image.new("RGB", (1600, 900), (11, 110, 117)).save(output, format="JPEG")
    return SiteImageFactory(
        title=title, description=f"{title}, a teal rectangle.", file=ImageFile(output, "a.jpg")
    )


@pytest.fixture(scope="module")
def live_site_data(module_live_server):
    """A home page with two featured posts and five latest ones, the third without an image."""
    from blog.models import HomePage, HomePageFeaturedPost
    from tests.factories.blog import (
        BlogIndexPageFactory,
        BlogPostPageFactory,
    )

    home = HomePage.objects.get()
    blog = BlogIndexPageFactory(parent=home)
    posts = [
        BlogPostPageFactory(
            parent=blog,
            title=f"Post {number}: a title long enough to take two lines in a card",
            featured_image=None if number == 3 else _image(f"Picture {number}"),
        )
        for number in range(7)
    ]
    for order, post in enumerate(posts[-2:]):  # the two newest are featured
        HomePageFeaturedPost.objects.create(page=home, post=post, sort_order=order)
    home.hero_image = _image("Hero")
    home.save_revision().publish()
    return {
        "without_image": posts[3].title,
        "post": posts[0].url,
    }


@pytest.fixture
def open_at(live_site, browser):
    """Open a path in a fresh browser context (nothing cached) at a viewport width."""
    contexts = []

    def open_(path: str, width: int, *, javascript: bool = True):
        context = browser.new_context(
            viewport={"width": width, "height": 900},
            device_scale_factor=1,
            java_script_enabled=javascript,
        )
        contexts.append(context)
        foreign = guard_hosts(context, live_site.base)
        page = context.new_page()
        errors = []
        page.on("response", lambda r: r.status >= 500 and errors.append(r.url))
        page.goto(live_site.base + path)
        assert foreign == []
        assert errors == []
        return page

    yield open_
    for context in contexts:
        context.close()


# The number of lines a button's text takes and the space around it.
BUTTON_BOX = """el => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
  const text = range.getBoundingClientRect(), box = el.getBoundingClientRect();
  return {lines: lines.size, left: text.left - box.left, right: box.right - text.right};
}"""


@pytest.mark.parametrize("width", [1280, 1400, 1440])
def test_the_header_buttons_keep_their_text_on_one_line_and_their_padding(open_at, width):
    page = open_at("/", width)

    for name in ("Search", "Join the portal"):
        button = page.locator(".site-header .button", has_text=name)
        box = button.evaluate(BUTTON_BOX)
        assert box["lines"] == 1, (name, width, box)
        # At least 0.75rem and the border on each side.
        assert box["left"] >= 10, (name, width, box)
        assert box["right"] >= 10, (name, width, box)


@pytest.mark.parametrize("width", [320, 375, 768])
def test_the_header_fits_small_screens_with_the_menu_closed_and_open(open_at, width):
    page = open_at("/", width)
    logo = page.locator(".site-logo").bounding_box()
    toggle = page.locator(".nav-toggle").bounding_box()
    assert abs(logo["y"] + logo["height"] / 2 - (toggle["y"] + toggle["height"] / 2)) < 4  # one row

    page.locator(".nav-toggle").click()
    search = page.locator(".site-header").get_by_role("button", name="Search")
    assert search.evaluate(BUTTON_BOX)["lines"] == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize(
    ("path", "form_ids"),
    [
        ("/", ["home"]),
        ("/newsletter/", ["page"]),
        ("/blog/", ["footer"]),
    ],
)
def test_a_page_shows_one_newsletter_sign_up_form(open_at, path, form_ids):
    page = open_at(path, 1280)

    forms = page.locator("form.signup-form input[name=form_id]")
    assert [forms.nth(i).get_attribute("value") for i in range(forms.count())] == form_ids
    # Links to "#newsletter" still lead to a sign-up form.
    assert page.locator("#newsletter form.signup-form").count() == 1


def _rows_of_cards(page, grid: str) -> list[list[dict]]:
    cards = page.locator(f"{grid} > li > .card").evaluate_all(
        """cards => cards.map(card => {
          const box = card.getBoundingClientRect();
          const image = card.querySelector('.card__image').getBoundingClientRect();
          const title = card.querySelector('.card__title').getBoundingClientRect();
          return {top: box.top, left: box.left, width: box.width, height: box.height,
                  imageHeight: image.height, titleTop: title.top,
                  title: card.querySelector('.card__title').innerText};
        })"""
    )
    rows: dict[int, list[dict]] = {}
    for card in cards:
        rows.setdefault(round(card["top"]), []).append(card)
    return list(rows.values())


@pytest.mark.parametrize("width", [375, 768, 1280, 1440])
def test_a_post_without_an_image_keeps_the_grid(open_at, live_site, width):
    page = open_at("/", width)

    rows = _rows_of_cards(page, ".card-grid--three")
    cards = [card for row in rows for card in row]
    assert live_site.without_image in [card["title"] for card in cards]
    image_heights = {round(card["imageHeight"]) for card in cards}
    assert len(image_heights) == 1
    assert image_heights.pop() > 100
    columns = len(rows[0])
    assert columns == (1 if width < 640 else 2 if width < 1024 else 3)
    for row in rows:
        assert len(row) == columns or row is rows[-1]  # only the last row may be short
        assert len({round(card["titleTop"]) for card in row}) == 1  # titles line up
        assert len({round(card["height"]) for card in row}) == 1
    # The cards fill the container's width: no column left empty before the last row.
    container = page.locator(".card-grid--three").bounding_box()
    first_row = rows[0]
    assert (
        abs(first_row[-1]["left"] + first_row[-1]["width"] - container["x"] - container["width"])
        < 2
    )


PICTURES = """imgs => Promise.all(imgs.map(img => {
  img.loading = 'eager';
  return (img.complete && img.naturalWidth ? Promise.resolve() : new Promise(done => {
    img.addEventListener('load', done, {once: true});
    img.addEventListener('error', done, {once: true});
  })).then(() => new Promise(done => {
    // naturalWidth of a srcset image is corrected by the density the browser chose: the file's
    // own width is that of the same file loaded alone.
    const file = new Image();
    file.onload = file.onerror = () => done(
      {src: img.currentSrc, natural: file.naturalWidth, shown: img.clientWidth});
    file.src = img.currentSrc;
  }));
}))"""


# Each picture and the widths of its renditions (the templates' specs).
PICTURE_KINDS = [
    ("/", ".card__image img", CARD_WIDTHS),
    ("/blog/", ".card__image img", CARD_WIDTHS),
    ("/", ".hero__image img", (560, 1120)),
    ("post", ".post-image img", (720, 1200, 1600)),
]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    ("path", "selector", "widths"),
    PICTURE_KINDS,
    ids=[f"{path} {selector.split()[0]}" for path, selector, _ in PICTURE_KINDS],
)
def test_pictures_are_served_at_the_width_they_are_shown(
    open_at, live_site, path, selector, widths, width
):
    page = open_at(live_site.post if path == "post" else path, width)

    pictures = page.locator(selector).evaluate_all(PICTURES)
    assert len(pictures) >= (4 if "card" in selector else 1)
    for picture in pictures:
        # Sharp (at least as wide as shown, at a device pixel ratio of 1) and not wasteful (the
        # narrowest rendition that is wide enough): `sizes` says how wide the image is shown.
        assert picture["natural"] >= picture["shown"], (path, width, picture)
        needed = min((w for w in widths if w >= picture["shown"]), default=widths[-1])
        assert picture["natural"] == needed, (path, width, picture)
