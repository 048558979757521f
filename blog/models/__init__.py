"""The public site's models (Django finds them here; each module says what it holds):

- `images`: the image and rendition models;
- `snippets`: authors, categories and the social links setting;
- `pages`: what every page type shares, the home page and standard pages;
- `posts`: the blog's index page and its posts;
- `querysets`: who may see which pages, as queryset filters.

Models never import views, middleware or selectors at module level; the page types' `serve` and
`get_context` ask the selectors for their lists when a page is rendered.
"""

from blog.models.images import SiteImage, SiteRendition
from blog.models.pages import (
    HomePage,
    HomePageFeaturedPost,
    SitePageMixin,
    StandardPage,
    lazy,
    paginate,
    redirect_to_login,
)
from blog.models.posts import WORDS_PER_MINUTE, BlogIndexPage, BlogPostPage, BlogPostTag
from blog.models.snippets import Author, Category, SocialMediaSettings

__all__ = [
    "WORDS_PER_MINUTE",
    "Author",
    "BlogIndexPage",
    "BlogPostPage",
    "BlogPostTag",
    "Category",
    "HomePage",
    "HomePageFeaturedPost",
    "SiteImage",
    "SitePageMixin",
    "SiteRendition",
    "SocialMediaSettings",
    "StandardPage",
    "lazy",
    "paginate",
    "redirect_to_login",
]
