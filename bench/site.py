"""`make bench`: the public site under load.

Loads the demo content plus generated posts (N in all, default 200) into a database of its own
(`bench_site` on the server of DATABASE_URL, or BENCH_DATABASE_URL, or --database-url), serves the
site with gunicorn and production settings (2 workers, DEBUG off, Redis cache, no HTTPS redirect
on loopback), measures the home page, the blog index, a post and searches with wrk, counts each
page's SQL queries and prints two tables: with the site's caches, then with every cache off.

    make bench                       # 200 posts, 10 s a page, both tables
    make bench ARGS="--no-cache"     # only the table with every cache off
    make bench ARGS="--cached"       # only the table with the caches
    make bench ARGS="--posts 500 --duration 20 --connections 16"
    make bench ARGS="--reuse"        # keep the database of the last run
    make bench ARGS="--proxy"        # only the table through the proxy

"Through the proxy" puts the front door (docker/proxy/nginx.conf, Debian's nginx) in front of
gunicorn and loads each page's cache hits next to the same nginx serving the same HTML as a
static file (target: hits at >= 80% of the static rate); it also times how long a publication
takes to show through the proxy and loads the miss path (every request a different address).
There is no CDN or page cache in front in the two other tables. "With the caches" the pages use
their fragment caches (Redis, and a copy in each process's memory) and the in-process caches of
sites, routes and counts. "Every cache off" serves with Django's DummyCache and
SITE_CACHES_ENABLED=false: every request renders every fragment and runs every query.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import re
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import harness

TARGETS = {"home": 100, "index": 100, "post": 150, "search": 100, "events": 100, "event": 150}
EVENTS = 45  # the demo's five and generated upcoming ones: the index has five pages
PROXY_TARGET = 0.8  # cache hits through the proxy, as a share of nginx serving the static file
PUBLICATION_TARGET_MS = 1000
MAX_QUERIES = 12
CACHE_PREFIX = "icmec-bench"


def _default_database_url() -> str:
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, "/bench_site", parts.query, ""))


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=200, help="posts in the blog (default 200)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--reuse", action="store_true", help="reuse the last run's database")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--no-cache", action="store_true", help="only the table with every cache layer off"
    )
    mode.add_argument("--cached", action="store_true", help="only the table with the caches on")
    mode.add_argument("--proxy", action="store_true", help="only the table through the proxy")
    parser.add_argument("--database-url", default=_default_database_url())
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/1"
    )
    return parser.parse_args()


def _clear_bench_cache(redis_url: str) -> None:
    """Remove this benchmark's keys (and only them) from Redis, so every run starts cold."""
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(f"{CACHE_PREFIX}:*", count=1000))
    if keys:
        client.delete(*keys)


def _vocabulary() -> list[str]:
    """Every word of the demo posts and pages, repeats included: sampling from it gives filler
    text with natural word frequencies (so a search matches some posts, not all of them)."""
    from django.utils.html import strip_tags

    from blog.models import BlogPostPage, StandardPage

    words: list[str] = []
    pages = [*BlogPostPage.objects.all(), *StandardPage.objects.all()]
    for page in pages:
        for block in page.body:
            if block.block_type == "paragraph":
                words += re.findall(r"[a-z]+", strip_tags(block.value.source).lower())
    return words


def _sentence(rng: random.Random, words: list[str], length: int) -> str:
    return " ".join(rng.choices(words, k=length)).capitalize()


def _paragraph(rng: random.Random, words: list[str], sentences: int = 4) -> str:
    text = [_sentence(rng, words, rng.randint(10, 20)) + "." for _ in range(sentences)]
    return "<p>" + " ".join(text) + "</p>"


def _load_demo(app_demo) -> None:
    """An app's demo content (`blog.demo`, `events.demo`), without its progress messages."""
    import io

    from django.core.management.base import OutputWrapper
    from django.core.management.color import no_style
    from django.db import transaction

    with transaction.atomic():
        app_demo.load(stdout=OutputWrapper(io.StringIO()), style=no_style())


def _load_posts(total: int) -> None:
    from django.db import transaction

    from blog import demo
    from blog.models import BlogIndexPage, BlogPostPage, Category, SiteImage

    _load_demo(demo)
    blog = BlogIndexPage.objects.get()
    existing = BlogPostPage.objects.count()
    words = _vocabulary()
    images = list(SiteImage.objects.exclude(title__icontains="monogram"))
    categories = list(Category.objects.all())
    rng = random.Random(2024)
    start = datetime.date(2022, 12, 31)
    for number in range(existing, total):
        title = _sentence(rng, words, rng.randint(5, 9))
        post = BlogPostPage(
            title=title,
            slug=f"benchmark-post-{number}",
            date_published=start - datetime.timedelta(days=number),
            summary=_sentence(rng, words, 30) + ".",
            featured_image=rng.choice(images),
            body=[
                {"type": "paragraph", "value": "".join(_paragraph(rng, words) for _ in range(5))},
                {"type": "heading", "value": {"text": _sentence(rng, words, 5), "level": "h2"}},
                {"type": "paragraph", "value": _paragraph(rng, words, 6)},
            ],
        )
        post.categories = rng.sample(categories, k=rng.randint(1, 2))
        post.tags.set([tag for tag in rng.sample(words, k=2) if len(tag) > 3] or ["news"])
        with transaction.atomic():
            blog.add_child(instance=post)
    print(f"  {BlogPostPage.objects.count()} posts in the blog.")
    _load_events(rng, words, images)


def _load_events(rng: random.Random, words: list[str], images: list) -> None:
    """The demo events and enough generated upcoming ones for the index to fill its pages."""
    from django.db import transaction
    from django.utils import timezone

    from events import demo as events_demo
    from events.models import EventIndexPage, EventPage

    _load_demo(events_demo)
    index = EventIndexPage.objects.get()
    kinds = ["webinar", "training", "roundtable", "conference"]
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for number in range(EventPage.objects.count(), EVENTS):
        start = now + datetime.timedelta(days=3 + number, hours=rng.randint(0, 6))
        event = EventPage(
            title=_sentence(rng, words, rng.randint(4, 7)),
            slug=f"benchmark-event-{number}",
            summary=_sentence(rng, words, 25) + ".",
            body=[{"type": "paragraph", "value": _paragraph(rng, words)}],
            image=rng.choice(images),
            start_at=start,
            end_at=start + datetime.timedelta(minutes=90),
            kind=rng.choice(kinds),
            format="online",
            joining_link="https://meet.example.org/benchmark",
            capacity=200,
        )
        with transaction.atomic():
            index.add_child(instance=event)
            event.save_revision().publish()
    print(f"  {EventPage.objects.count()} events.")


def _public_upcoming_event():
    """The first public upcoming event with places (its page shows the booking form)."""
    from django.utils import timezone

    from events.models import EventPage

    return (
        EventPage.objects.live()
        .filter(audience="public", start_at__gt=timezone.now(), cancelled=False)
        .order_by("start_at")
        .first()
    )


def _distinct_searches(count: int = 2000) -> list[str]:
    """Search addresses for `count` different two-word queries made of the demo posts' most
    frequent words: loading them in turn measures searches whose results are not cached yet."""
    from collections import Counter

    frequent = [word for word, _ in Counter(w for w in _vocabulary() if len(w) > 4).most_common(60)]
    pairs = [f"{first}+{second}" for first in frequent for second in frequent if first != second]
    return [f"/search/?q={pair}" for pair in pairs[:count]]


UNCACHED_ENV = {"SITE_CACHES_ENABLED": "false", "CACHE_DISABLED": "true"}


def _count_page_queries(
    pages: list[tuple[str, str, str]], *, caches: bool, fresh_search: str
) -> dict:
    """Each page's SQL queries in this process: (right after a publication, steady state) with
    the caches on; (every request, every request) with them off. The steady state of the
    different-searches row is a search nobody made yet (`fresh_search`)."""
    from django.test.utils import override_settings

    from blog.services import content_version_bump

    queries = {}
    if caches:
        for key, _, path in pages:
            harness.count_queries(path)  # the first visitor ever creates the image renditions
            content_version_bump()  # what publishing does: every cached fragment is stale
            status, cold = harness.count_queries(path)
            warm_path = fresh_search if key == "search-distinct" else path
            status_warm, warm = harness.count_queries(warm_path)
            if status != 200 or status_warm != 200:
                raise SystemExit(f"{path} answered {status}")
            queries[key] = (cold, warm)
        return queries
    dummy = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    with override_settings(SITE_CACHES_ENABLED=False, CACHES=dummy):
        for key, _, path in pages:
            harness.count_queries(path)
            status, count = harness.count_queries(path)
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
            queries[key] = (count, count)
    return queries


def _measure(
    args: argparse.Namespace,
    *,
    env: dict[str, str],
    port: int,
    pages: list[tuple[str, str, str]],
    caches: bool,
    distinct_searches: Path,
    fresh_search: str,
) -> list[dict[str, str]]:
    """Serve the site with gunicorn, load each page with wrk and return the table's rows."""
    queries = _count_page_queries(pages, caches=caches, fresh_search=fresh_search)
    search_queries = queries.pop("search-distinct", None)
    rows = []
    label = "with every cache" if caches else "with every cache off"
    print(f"Serving with gunicorn ({args.workers} workers, {label}) and measuring with wrk ...")
    # The health check fails on purpose when the cache does not keep what it is given.
    ready_path = "/health/" if caches else "/robots.txt"
    with harness.gunicorn_process(
        env=env, port=port, workers=args.workers, ready_path=ready_path
    ) as (url, process):
        for key, name, path in pages:
            harness.warm_up(url + (path if key != "search-distinct" else "/search/?q=warm"))
            app_before = harness.cpu_seconds(process)
            db_before = harness.database_backend_cpu(args.database_url)
            if key == "search-distinct":
                # A different query on every request: none of them was asked before.
                result = harness.run_wrk(
                    url + "/",
                    duration=args.duration,
                    connections=args.connections,
                    script=distinct_searches,
                )
                cold, warm = search_queries
            else:
                result = harness.run_wrk(
                    url + path, duration=args.duration, connections=args.connections
                )
                cold, warm = queries[key]
            app_cpu = (harness.cpu_seconds(process) - app_before) / max(result.requests, 1)
            db_cpu = harness.database_cpu_used(
                db_before, harness.database_backend_cpu(args.database_url)
            ) / max(result.requests, 1)
            target = TARGETS.get(key)
            if target is None:
                met = "-"
                target_text = "(for information)"
            else:
                passed = result.requests_per_second >= target and max(cold, warm) <= MAX_QUERIES
                met = "yes" if passed else "NO"
                target_text = f">= {target} req/s, <= {MAX_QUERIES} queries"
            rows.append(
                {
                    "page": name,
                    "path": path if len(path) < 40 else path[:37] + "...",
                    "rps": f"{result.requests_per_second:.0f}",
                    "p50": f"{result.p50_ms:.1f}",
                    "p99": f"{result.p99_ms:.1f}",
                    "app_cpu": f"{app_cpu * 1000:.1f}",
                    "db_cpu": f"{db_cpu * 1000:.1f}",
                    "queries": f"{warm} ({cold} after publishing)" if caches else str(warm),
                    "errors": str(result.errors),
                    "target": target_text,
                    "ok": "NO" if result.errors else met,
                }
            )
    return rows


def _fetch(url: str, host: str | None = None) -> tuple[int, bytes, dict[str, str]]:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"Host": host} if host else {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def _publication_ms(proxy, post_id: int) -> float:
    """Publish a new title of a post (as the admin does) and time until the proxy shows it."""
    import time

    from blog.models import BlogPostPage

    post = BlogPostPage.objects.get(pk=post_id)
    for _ in range(2):
        _fetch(proxy.url + post.url)
    title = f"{post.title.split(' (')[0]} ({time.time_ns()})"
    post.title = title
    started = time.monotonic()
    post.save_revision().publish()
    while time.monotonic() - started < 10:
        if title.encode() in _fetch(proxy.url + post.url)[1]:
            return (time.monotonic() - started) * 1000
        time.sleep(0.005)
    return float("inf")


def _measure_proxy(
    args: argparse.Namespace,
    *,
    env: dict[str, str],
    port: int,
    proxy,
    pages: list[tuple[str, str, str]],
    workdir: Path,
) -> list[dict[str, str]]:
    """Cache hits through the proxy next to nginx serving the same HTML as a static file."""
    from blog.models import BlogPostPage

    rows = []
    print("Serving with gunicorn behind the proxy (nginx) and measuring with wrk ...")
    with harness.gunicorn_process(env=env, port=port, workers=args.workers) as (url, process):
        proxy.start()
        try:
            static = proxy.prefix / "static" / "bench"
            static.mkdir(parents=True, exist_ok=True)
            for key, name, path in pages:
                status, body, _ = _fetch(url + path)
                if status != 200:
                    raise SystemExit(f"{path} answered {status}")
                (static / f"{key}.html").write_bytes(body)
                for _ in range(3):
                    _fetch(proxy.url + path)
                if _fetch(proxy.url + path)[2].get("X-Cache-Status") != "HIT":
                    raise SystemExit(f"{path} is not served from the proxy's cache")
                hits = harness.run_wrk(
                    proxy.url + path, duration=args.duration, connections=args.connections
                )
                files = harness.run_wrk(
                    f"{proxy.url}/static/bench/{key}.html",
                    duration=args.duration,
                    connections=args.connections,
                )
                ratio = hits.requests_per_second / max(files.requests_per_second, 1)
                rows.append(
                    {
                        "page": name,
                        "rps": f"{hits.requests_per_second:,.0f}",
                        "p50": f"{hits.p50_ms:.2f}",
                        "static": f"{files.requests_per_second:,.0f}",
                        "ratio": f"{ratio:.0%}",
                        "errors": str(hits.errors + files.errors),
                        "target": f">= {PROXY_TARGET:.0%} of the static file",
                        "ok": "yes" if ratio >= PROXY_TARGET and not hits.errors else "NO",
                    }
                )
            post_path = next(path for key, _, path in pages if key == "post")
            post = BlogPostPage.objects.get(
                url_path__endswith=post_path.rstrip("/").rsplit("/")[-1] + "/"
            )
            latencies = sorted(_publication_ms(proxy, post.pk) for _ in range(5))
            median = latencies[len(latencies) // 2]
            rows.append(
                {
                    "page": "A publication shows through the proxy",
                    "rps": "-",
                    "p50": f"{median:.0f} (max {latencies[-1]:.0f})",
                    "static": "-",
                    "ratio": "-",
                    "errors": "0" if latencies[-1] < float("inf") else "1",
                    "target": f"<= {PUBLICATION_TARGET_MS} ms",
                    "ok": "yes" if latencies[-1] <= PUBLICATION_TARGET_MS else "NO",
                }
            )
            misses = harness.paths_script(
                [f"{post_path}?miss={number}" for number in range(50_000)],
                workdir / "misses.lua",
            )
            app_before = harness.cpu_seconds(process)
            missed = harness.run_wrk(
                proxy.url + "/",
                duration=args.duration,
                connections=args.connections,
                script=misses,
            )
            app_cpu = (harness.cpu_seconds(process) - app_before) / max(missed.requests, 1)
            rows.append(
                {
                    "page": "Miss path: a post, every request a new address",
                    "rps": f"{missed.requests_per_second:,.0f}",
                    "p50": f"{missed.p50_ms:.1f}",
                    "static": "-",
                    "ratio": "-",
                    "errors": str(missed.errors),
                    "target": f"(for information; gunicorn {app_cpu * 1000:.1f} CPU ms/req)",
                    "ok": "-" if not missed.errors else "NO",
                }
            )
        finally:
            proxy.stop()
    return rows


def _print_proxy_rows(title: str, rows: list[dict[str, str]]) -> None:
    print(f"\n{title}\n")
    harness.print_table(
        rows,
        [
            ("page", "page"),
            ("rps", "req/s (cache hits)"),
            ("p50", "p50 ms"),
            ("static", "req/s (same HTML as a static file)"),
            ("ratio", "hits / static"),
            ("errors", "errors"),
            ("target", "target"),
            ("ok", "met"),
        ],
    )


def _print_rows(title: str, rows: list[dict[str, str]]) -> None:
    print(f"\n{title}\n")
    harness.print_table(
        rows,
        [
            ("page", "page"),
            ("path", "path"),
            ("rps", "req/s"),
            ("p50", "p50 ms"),
            ("p99", "p99 ms"),
            ("app_cpu", "CPU ms/req (gunicorn)"),
            ("db_cpu", "CPU ms/req (PostgreSQL)"),
            ("queries", "SQL queries"),
            ("errors", "errors"),
            ("target", "target"),
            ("ok", "met"),
        ],
    )


def main() -> int:
    args = _arguments()
    port = harness.free_port()
    workdir = Path(tempfile.mkdtemp(prefix="icmec-bench-"))
    workdir.chmod(0o755)  # nginx's workers read the media from here
    sys.path.insert(0, str(harness.ROOT))
    from tests.fixtures import proxy as front_door

    proxy = front_door.Proxy(
        upstream=f"127.0.0.1:{port}",
        media_root=workdir / "media",
        static_root=workdir / "static",
    )
    env = harness.production_env(
        database_url=args.database_url,
        redis_url=args.redis_url,
        port=port,
        static_root=workdir / "static",
        media_root=workdir / "media",
        cache_key_prefix=CACHE_PREFIX,
        extra={"FRONTEND_CACHE_PURGE_URL": proxy.purge_url},
    )
    harness.apply_env(env)

    fresh = not (args.reuse and harness.database_exists(args.database_url))
    if fresh:
        print(f"Creating {urlsplit(args.database_url).path.lstrip('/')} ...")
        harness.recreate_database(args.database_url)
    _clear_bench_cache(args.redis_url)

    import django

    django.setup()
    from django.core.management import call_command

    from blog.models import BlogPostPage

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    from events.models import EventPage

    if fresh or BlogPostPage.objects.count() < args.posts or EventPage.objects.count() < EVENTS:
        print(f"Loading the demo content and {args.posts} posts ...")
        _load_posts(args.posts)

    middle = BlogPostPage.objects.live().order_by("-date_published")[args.posts // 2]
    event = _public_upcoming_event()
    searches = _distinct_searches()
    distinct_searches = harness.paths_script(searches, workdir / "searches.lua")
    distinct_row = ("search-distinct", "Search, 2,000 different queries", searches[0])
    pages = [
        ("home", "Home page", "/"),
        ("index", "Blog index", "/blog/"),
        ("post", "A post", middle.url),
        ("events", "Events index", "/events/"),
        ("event", "An event", event.url),
    ]
    cached_pages = [*pages, ("search", "Search", "/search/?q=child+protection"), distinct_row]
    uncached_pages = [*pages, ("search", *distinct_row[1:])]

    load_before = os.getloadavg()[0]
    tables = []
    proxy_rows = []
    if not (args.no_cache or args.cached):
        if not front_door.available():
            raise SystemExit(front_door.skip_or_fail_reason())
        proxy_rows = _measure_proxy(
            args,
            env=env,
            port=port,
            proxy=proxy,
            pages=[*pages, ("search", "Search", "/search/?q=child+protection")],
            workdir=workdir,
        )
    if not (args.no_cache or args.proxy):
        rows = _measure(
            args,
            env=env,
            port=port,
            pages=cached_pages,
            caches=True,
            distinct_searches=distinct_searches,
            fresh_search=searches[-1],
        )
        tables.append(("With the caches (fragments in Redis and memory, in-process caches):", rows))
        _clear_bench_cache(args.redis_url)
    if not (args.cached or args.proxy):
        rows = _measure(
            args,
            env={**env, **UNCACHED_ENV},
            port=port,
            pages=uncached_pages,
            caches=False,
            distinct_searches=distinct_searches,
            fresh_search=searches[-1],
        )
        tables.append(("With every cache off (DummyCache, SITE_CACHES_ENABLED=false):", rows))
    load_after = os.getloadavg()[0]

    print(
        f"\n{args.posts} posts, gunicorn {args.workers} sync workers, wrk {args.connections} "
        f"connections x {args.duration} s, production settings, no page cache; "
        f"{os.cpu_count()} CPUs, load average {load_before:.1f} before and {load_after:.1f} "
        "after (other work on the machine slows every figure down)."
    )
    if proxy_rows:
        _print_proxy_rows(
            "Through the proxy (nginx in front of gunicorn, docker/proxy/nginx.conf):", proxy_rows
        )
    for title, rows in tables:
        _print_rows(title, rows)
    print(
        "\nWith the caches, search results are cached per query until published content "
        "changes; the 2,000-queries row asks a different query on every request, so none comes "
        "from that cache. Without them every request renders everything and queries the database."
        "\nCPU ms/req: CPU time of the gunicorn workers, and of the PostgreSQL backends serving"
        " them, divided by the requests served; it varies far less with the machine's load than"
        " req/s does (at 2 CPUs, 100 req/s needs app + database CPU under about 15-20 ms)."
    )
    ok = all(row["ok"] in ("yes", "-") for _, rows in [*tables, ("", proxy_rows)] for row in rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
