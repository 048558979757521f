"""Every page type and every body block renders real content, with the site's furniture."""

import datetime
import io
import re

import pytest
from bs4 import BeautifulSoup
from django.core.files.images import ImageFile

from blog.models import HomePageFeaturedPost
from tests.factories.blog import (
    AuthorFactory,
    CategoryFactory,
    SiteImageFactory,
    StandardPageFactory,
    png_bytes,
)

pytestmark = pytest.mark.django_db


def soup(response):
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content, "html.parser")


@pytest.fixture
def about(home):
    return StandardPageFactory(
        parent=home, title="About us", slug="about", show_in_menus=True, show_in_footer=True
    )


def test_home_page_shows_mission_featured_and_latest_posts_newsletter_and_portal(
    client, home, make_post
):
    image = SiteImageFactory(title="Hero", description="Teal circles on navy")
    home.mission_heading = "Every child deserves to grow up safe"
    home.mission_statement = "<p>We bring the response ecosystem <b>together</b>.</p>"
    home.hero_image = image
    home.newsletter_heading = "Stay up to date"
    home.portal_heading = "Join our Member Portal"
    home.portal_text = "Connect with vetted professionals."
    home.save()
    featured = make_post(title="The featured post", date_published=datetime.date(2020, 1, 1))
    HomePageFeaturedPost.objects.create(page=home, post=featured)
    latest = [make_post(title=f"Latest {n}") for n in range(3)]

    page = soup(client.get("/"))

    assert page.h1.get_text(strip=True) == "Every child deserves to grow up safe"
    assert page.find("b", string="together")
    hero = page.select_one(".hero__image img")
    assert hero["alt"] == "Teal circles on navy"
    assert "webp" in str(page.select_one(".hero__image picture"))
    featured_section = page.find(id="featured-heading").find_parent("section")
    assert "The featured post" in featured_section.get_text()
    latest_section = page.find(id="latest-heading").find_parent("section")
    titles = [a.get_text(strip=True) for a in latest_section.select(".card__title a")]
    assert titles == [post.title for post in reversed(latest)]
    assert "The featured post" not in titles  # not listed twice
    assert page.find(id="newsletter-heading").get_text(strip=True) == "Stay up to date"
    portal = page.find(id="portal-heading").find_parent("section")
    assert portal.find("a", href="/accounts/signup/")
    assert portal.find("a", href="/accounts/login/")


def test_home_page_without_posts_says_so(client, home):
    page = soup(client.get("/"))

    assert "No posts yet" in page.select_one(".empty-state").get_text()


def test_navigation_and_footer_come_from_the_page_tree_and_settings(client, home, blog, about):
    StandardPageFactory(parent=home, title="Privacy policy", slug="privacy", show_in_footer=True)
    StandardPageFactory(parent=home, title="Hidden page", slug="hidden")
    from wagtail.models import Site

    from blog.models import SocialMediaSettings

    social = SocialMediaSettings.for_site(Site.objects.get(is_default_site=True))
    social.linkedin = "https://www.linkedin.com/company/example/"
    social.save()

    page = soup(client.get("/about/"))

    nav = [a.get_text(strip=True) for a in page.select(".main-nav__list a")]
    assert nav == ["About us"]
    assert page.select_one(".main-nav__list a")["aria-current"] == "page"
    footer_links = [a.get_text(strip=True) for a in page.select(".footer-links a")]
    assert footer_links[:2] == ["About us", "Privacy policy"]
    assert "Hidden page" not in footer_links
    assert "RSS feed" in footer_links
    assert page.select_one(".footer-links a[href='/blog/feed/rss/']")
    assert page.select_one(".social-links a")["href"] == "https://www.linkedin.com/company/example/"
    assert page.find("link", rel="alternate", type="application/rss+xml")["href"] == (
        "/blog/feed/rss/"
    )
    assert page.select_one(".skip-link")["href"] == "#main"
    assert page.find("main", id="main")


def test_standard_page_renders_every_body_block(client, home, about):
    image = SiteImageFactory(title="Diagram", description="A diagram of partners")
    about.introduction = "Who we are and what we do."
    about.body = [
        {"type": "heading", "value": {"text": "Who we are", "level": "h2"}},
        {"type": "heading", "value": {"text": "Our history", "level": "h3"}},
        {"type": "paragraph", "value": "<p>We are <i>independent</i>.</p>"},
        {"type": "image", "value": {"image": image.pk, "alt_text": "", "caption": "Partners"}},
        {"type": "image", "value": {"image": image.pk, "alt_text": "Own alt", "caption": ""}},
        {"type": "quote", "value": {"quote": "A networked response.", "attribution": "CEO"}},
        {"type": "statistic", "value": {"figure": "85 million", "label": "files", "source": "X"}},
        {"type": "embed", "value": "https://www.youtube.com/watch?v=abc123"},
        {"type": "call_to_action", "value": {"text": "Contact us", "page": home.pk, "url": ""}},
        {
            "type": "call_to_action",
            "value": {"text": "ACCCE", "page": None, "url": "https://www.accce.gov.au/"},
        },
    ]
    about.save_revision().publish()

    page = soup(client.get("/about/"))

    assert page.h1.get_text(strip=True) == "About us"
    assert "Who we are and what we do." in page.select_one(".page-header").get_text()
    prose = page.select_one(".prose")
    assert prose.find("h2", string="Who we are")
    assert prose.find("h3", string="Our history")
    assert prose.find("i", string="independent")
    images = prose.select("figure.block-image img")
    assert [img["alt"] for img in images] == ["A diagram of partners", "Own alt"]
    assert all(img["loading"] == "lazy" and img.get("width") for img in images)
    assert prose.select_one("figure.block-image source[type='image/webp']")["srcset"]
    assert prose.select_one("figure.block-image figcaption").get_text(strip=True) == "Partners"
    assert prose.select_one(".quote blockquote").get_text(strip=True) == "A networked response."
    assert "CEO" in prose.select_one(".quote figcaption").get_text()
    assert prose.select_one(".statistic__figure").get_text(strip=True) == "85 million"
    embed = prose.select_one(".embed-card a")
    assert embed["href"] == "https://www.youtube.com/watch?v=abc123"
    assert "youtube.com" in embed.get_text()
    assert not page.find("iframe")
    buttons = {a.get_text(strip=True): a["href"] for a in prose.select(".cta a")}
    assert buttons == {"Contact us": "/", "ACCCE": "https://www.accce.gov.au/"}
    crumbs = [a.get_text(strip=True) for a in page.select(".breadcrumbs a")]
    assert crumbs == ["Home"]


def test_blog_index_lists_ten_posts_a_page_newest_first(client, make_post):
    posts = [make_post(date_published=datetime.date(2024, 1, day)) for day in range(1, 13)]

    first = soup(client.get("/blog/"))
    second = soup(client.get("/blog/?page=2"))

    titles = [a.get_text(strip=True) for a in first.select(".card__title a")]
    assert titles == [post.title for post in reversed(posts)][:10]
    assert [a.get_text(strip=True) for a in second.select(".card__title a")] == [
        posts[1].title,
        posts[0].title,
    ]
    assert first.select_one(".pagination a[rel='next']")["href"] == "?page=2"
    assert second.select_one(".pagination a[rel='prev']")["href"] == "?"
    assert first.select_one(".card__more a").get_text(strip=True).startswith("Read more")
    # Any other page number shows one of the pages that exist: never a 404 or a 500.
    last = [a.get_text(strip=True) for a in second.select(".card__title a")]
    for number, expected in [
        ("3", last),
        ("999999999999999999", last),
        ("99999999999999999999999", last),
        ("0", titles),
        ("-1", titles),
        ("abc", titles),
        ("1.5", titles),
    ]:
        shown = soup(client.get(f"/blog/?page={number}"))
        assert [a.get_text(strip=True) for a in shown.select(".card__title a")] == expected, number
    clamped = soup(client.get("/blog/?page=999"))
    assert clamped.find("link", rel="canonical")["href"].endswith("/blog/?page=2")


def test_blog_index_filters_by_category_tag_and_year(client, make_post, category):
    other = CategoryFactory(name="Events")
    in_category = make_post(title="Research post", categories=[category], tags=["data"])
    make_post(title="Event post", categories=[other], date_published=datetime.date(2021, 5, 1))

    by_category = soup(client.get(f"/blog/category/{category.slug}/"))
    by_tag = soup(client.get("/blog/tag/data/"))
    by_year = soup(client.get("/blog/2021/"))

    assert [a.get_text(strip=True) for a in by_category.select(".card__title a")] == [
        in_category.title
    ]
    assert by_category.h1.get_text(strip=True) == "Research and insights"
    assert by_category.find("link", title="Research and insights (RSS)")["href"] == (
        "/blog/category/research-and-insights/feed/rss/"
    )
    assert [a.get_text(strip=True) for a in by_tag.select(".card__title a")] == ["Research post"]
    assert by_tag.h1.get_text(strip=True) == "Posts tagged “data”"
    assert [a.get_text(strip=True) for a in by_year.select(".card__title a")] == ["Event post"]
    sidebar = by_category.select_one(".sidebar")
    assert sidebar.find("a", attrs={"aria-current": "page"}).get_text() == "Research and insights"
    assert "2021" in [a.get_text() for a in sidebar.select(".archive-years a")]
    assert client.get("/blog/category/no-such-category/").status_code == 404
    assert client.get("/blog/tag/no-such-tag/").status_code == 404


def test_blog_index_empty_states(client, blog, category):
    everything = soup(client.get("/blog/"))
    empty_category = soup(client.get(f"/blog/category/{category.slug}/"))

    assert "No posts yet" in everything.select_one(".empty-state").get_text()
    assert "There are no posts in this category yet." in (
        empty_category.select_one(".empty-state").get_text()
    )
    assert empty_category.select_one(".empty-state a")["href"] == "/blog/"


def test_a_year_or_tag_without_posts_the_visitor_may_read_is_not_found(client, make_post, member):
    make_post(title="Open", tags=["open"], date_published=datetime.date(2024, 5, 1))
    make_post(
        title="Briefing",
        tags=["briefing"],
        members_only=True,
        date_published=datetime.date(2023, 5, 1),
    )

    assert client.get("/blog/2024/").status_code == 200
    assert client.get("/blog/tag/open/").status_code == 200
    for url in ["/blog/1999/", "/blog/2023/", "/blog/tag/briefing/"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "We can't find that page" in response.content.decode()
    client.force_login(member)  # members read the members-only post: its year and tag exist
    assert client.get("/blog/2023/").status_code == 200
    assert client.get("/blog/tag/briefing/").status_code == 200


def test_every_list_page_has_a_title_of_its_own(client, home, make_post, category, settings):
    make_post(
        title="Research post",
        categories=[category],
        tags=["data"],
        date_published=datetime.date(2021, 5, 1),
    )

    expected = {
        "/": settings.WAGTAIL_SITE_NAME,
        "/blog/": "News",
        f"/blog/category/{category.slug}/": "Research and insights",
        "/blog/tag/data/": "Posts tagged “data”",
        "/blog/2021/": "Posts from 2021",
    }
    for url, title in expected.items():
        page = soup(client.get(url))
        assert page.find("meta", property="og:title")["content"] == title, url
        assert page.find("meta", attrs={"name": "twitter:title"})["content"] == title, url
        if url != "/":  # the home page's h1 is its mission heading
            assert page.title.get_text() == f"{title} | {settings.WAGTAIL_SITE_NAME}", url
            assert page.h1.get_text(strip=True) == title, url
    assert soup(client.get("/")).title.get_text() != "Home | ICMEC Australia"


def test_post_page_shows_content_latest_and_related_posts(client, make_post, category):
    author = AuthorFactory(name="Jo Analyst", role="Research lead")
    image = SiteImageFactory(description="Abstract waves")
    other = CategoryFactory(name="Events")
    older_related = make_post(
        title="Older related", categories=[category], date_published=datetime.date(2023, 1, 1)
    )
    make_post(title="Unrelated old", categories=[other], date_published=datetime.date(2022, 1, 1))
    post = make_post(
        title="The post",
        date_published=datetime.date(2024, 3, 1),
        featured_image=image,
        categories=[category],
        tags=["sextortion", "data"],
        authors=[author],
    )
    newer = [
        make_post(title=f"Newer {n}", date_published=datetime.date(2024, 4, n + 1))
        for n in range(4)
    ]

    page = soup(client.get(post.url))

    assert page.h1.get_text(strip=True) == "The post"
    meta = page.select_one(".post-meta").get_text(" ", strip=True)
    assert "1 March 2024" in meta
    assert "By Jo Analyst" in meta
    assert re.search(r"\d+ min read", meta)
    hero = page.select_one(".post-image img")
    assert hero["alt"] == "Abstract waves"
    assert "loading" not in hero.attrs  # above the fold
    assert page.select_one(".post-summary").get_text(strip=True) == post.summary
    assert [a.get_text(strip=True) for a in page.select(".post-categories a")] == [
        "Research and insights"
    ]
    assert page.select_one(".post-categories a")["href"] == "/blog/category/research-and-insights/"
    tags = {a.get_text(strip=True): a["href"] for a in page.select(".post-tags a")}
    assert tags == {"#data": "/blog/tag/data/", "#sextortion": "/blog/tag/sextortion/"}
    assert "Research lead" in page.select_one(".author-box").get_text()
    latest = page.select(".latest-list li")
    assert [li.h3.get_text(strip=True) for li in latest] == ["Newer 3", "Newer 2", "Newer 1"]
    assert "4 April 2024" in latest[0].get_text()
    assert latest[0].select_one(".card__more a").get_text(strip=True).startswith("Read more")
    assert newer[0].title not in [li.h3.get_text(strip=True) for li in latest]
    related = [a.get_text(strip=True) for a in page.select("#related-heading ~ ul .card__title a")]
    assert related == ["Older related"]
    assert older_related.title in related
    crumbs = [a.get_text(strip=True) for a in page.select(".breadcrumbs a")]
    assert crumbs == ["Home", "News"]


def test_pages_carry_canonical_and_share_meta(client, settings, make_post):
    big = ImageFile(io.BytesIO(png_bytes(1600, 900)), name="big.png")
    image = SiteImageFactory(description="Abstract waves", file=big)
    post = make_post(title="Shared post", featured_image=image, summary="What it is about.")

    page = soup(client.get(post.url))

    assert page.find("link", rel="canonical")["href"] == f"{settings.SITE_URL}{post.url}"
    assert page.find("meta", attrs={"name": "description"})["content"] == "What it is about."
    assert page.find("meta", property="og:title")["content"] == "Shared post"
    assert page.find("meta", property="og:type")["content"] == "article"
    og_image = page.find("meta", property="og:image")["content"]
    assert og_image.startswith(settings.SITE_URL + "/media/")
    assert og_image.endswith(".jpg")
    assert page.find("meta", property="og:image:width")["content"] == "1200"
    assert page.find("meta", property="og:image:alt")["content"] == "Abstract waves"
    assert page.find("meta", attrs={"name": "twitter:card"})["content"] == "summary_large_image"
    listing = soup(client.get("/blog/?page=1"))
    assert listing.find("link", rel="canonical")["href"] == f"{settings.SITE_URL}/blog/"


def test_search_finds_posts_and_pages_highlights_the_query_and_paginates(client, home, make_post):
    StandardPageFactory(
        parent=home, title="Code of conduct", introduction="How members treat each other."
    )
    for n in range(12):
        make_post(title=f"Sextortion report {n}", summary="Signals of sextortion in payments.")
    make_post(title="Unrelated", summary="Nothing to see.")

    first = soup(client.get("/search/", {"q": "sextortion"}))
    second = soup(client.get("/search/", {"q": "sextortion", "page": 2}))
    pages = soup(client.get("/search/", {"q": "members"}))

    assert "12 results for “sextortion”" in first.select_one(".search-count").get_text()
    assert len(first.select(".search-result")) == 10
    assert len(second.select(".search-result")) == 2
    assert first.select_one(".search-result__title mark").get_text() == "Sextortion"
    assert first.select_one(".search-result p mark").get_text().lower() == "sextortion"
    assert first.select_one(".pagination a[rel='next']")["href"] == "?q=sextortion&page=2"
    assert [a.get_text(strip=True) for a in pages.select(".search-result__title a")] == [
        "Code of conduct"
    ]
    assert first.find("input", id="header-search-q")["value"] == "sextortion"


def test_search_handles_empty_odd_and_hostile_queries(client, make_post):
    make_post(title="A post about <b>bold</b> claims", summary="Claims & counter-claims.")

    empty = soup(client.get("/search/"))
    nothing = soup(client.get("/search/", {"q": "zzqxj"}))
    hostile = client.get("/search/", {"q": '<script>alert("x")</script> claims'})
    long_query = client.get("/search/", {"q": "claims " * 500})

    assert "Type a word or two" in empty.select_one(".empty-state").get_text()
    assert "No results for “zzqxj”" in nothing.select_one(".empty-state").get_text()
    assert hostile.status_code == 200
    assert b"<script>alert" not in hostile.content
    assert b"&lt;script&gt;" in hostile.content
    assert long_query.status_code == 200
    highlighted = soup(client.get("/search/", {"q": "claims"}))
    title = highlighted.select_one(".search-result__title a")
    assert "<b>" not in str(title)
    assert "&lt;b&gt;" in str(title)
    for number in ["9", "x", "-1", "0", "999999999999999999", "9" * 30, "1e9"]:
        clamped = soup(client.get("/search/", {"q": "claims", "page": number}))
        assert len(clamped.select(".search-result")) == 1, number
    assert client.post("/search/", {"q": "claims"}).status_code == 405


def test_not_found_page_matches_the_site(client, home):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    page = BeautifulSoup(response.content, "html.parser")
    assert page.h1.get_text(strip=True) == "We can't find that page"
    assert page.find("form", attrs={"role": "search"})


def test_every_page_type_previews_the_unsaved_changes(home, blog, about, make_post, category):
    author = AuthorFactory(photo=SiteImageFactory())
    post = make_post(authors=[author], categories=[category], tags=["data"])
    featured = make_post(title="Chosen in the editor")

    post.title = "Post title being edited"
    post.categories = [category]
    post.authors = [author, AuthorFactory(name="Author chosen in the editor")]
    home.mission_heading = "Mission being edited"
    home.featured_posts = [HomePageFeaturedPost(post=featured)]
    about.title = "About title being edited"
    blog.introduction = "Introduction being edited"

    for page, text in [
        (post, "Post title being edited"),
        (post, "Author chosen in the editor"),
        (home, "Mission being edited"),
        (home, "Chosen in the editor"),
        (about, "About title being edited"),
        (blog, "Introduction being edited"),
    ]:
        response = page.make_preview_request()
        assert response.status_code == 200, page
        assert text in response.content.decode(), text


def test_pagination_shows_first_last_and_neighbours_with_gaps():
    from django.core.paginator import Paginator

    from blog.templatetags.site_tags import page_links

    def shown(number):
        links = page_links(Paginator(range(200), 10).page(number))
        return [link.get("number", "…") for link in links]

    assert shown(1) == [1, 2, 3, "…", 20]
    assert shown(10) == [1, "…", 8, 9, 10, 11, 12, "…", 20]
    assert shown(19) == [1, "…", 17, 18, 19, 20]
    assert shown(4) == [1, 2, 3, 4, 5, 6, "…", 20]


def test_search_shows_the_words_of_the_body_around_a_match_there(client, make_post):
    make_post(
        title="Quarterly update",
        summary="What our partners did this quarter.",
        body=[
            {"type": "heading", "value": {"text": "Payments", "level": "h2"}},
            {
                "type": "paragraph",
                "value": "<p>Early in the year, analysts at three banks traced "
                "<b>structured</b> transfers (amounts &lt; $100 &amp; notes) pointing to the "
                "laundering of sextortion proceeds through gift cards, then reported them.</p>",
            },
        ],
    )
    make_post(title="Laundering typologies", summary="How laundering works.")

    page = soup(client.get("/search/", {"q": "laundered"}))  # stemmed: matches "laundering"

    results = {
        r.select_one(".search-result__title").get_text(strip=True): r
        for r in page.select(".search-result")
    }
    snippet = results["Quarterly update"].select_one(".search-result__snippet")
    assert [mark.get_text() for mark in snippet.select("mark")] == ["laundering"]
    assert "sextortion proceeds" in snippet.get_text()
    assert "What our partners did" not in results["Quarterly update"].get_text()
    assert "(amounts < $100 & notes)" in snippet.get_text()  # entities decoded, then escaped
    assert "&lt; $100 &amp; notes" in str(snippet)
    assert not snippet.select("b")
    # A match in the title or summary keeps the summary.
    assert results["Laundering typologies"].select_one(".search-result__snippet") is None
    assert "How laundering works." in results["Laundering typologies"].get_text()
