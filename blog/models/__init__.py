"""The public site's models (Django finds them here; each module says what it holds):

- `images`: the image and rendition models;
- `snippets`: authors, categories and the social links setting;
- `pages`: what every page type shares, the home page and standard pages;
- `posts`: the blog's index page and its posts;
- `querysets`: who may see which pages, as queryset filters;
- `rendering`: the registry through which the view layer builds the page types' context and
  serves their routes (filled by `blog.views.pages.register()` from `BlogConfig.ready()`).

Models never import views, middleware or selectors (the import contract checks it): what a page
needs from them when it is rendered is registered here by the layers above.
"""

from blog.models.images import SiteImage, SiteRendition
from blog.models.pages import (
    HomePage,
    HomePageFeaturedPost,
    SectionIndexPage,
    SitePageMixin,
    StandardPage,
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
    "SectionIndexPage",
    "SitePageMixin",
    "SiteRendition",
    "SocialMediaSettings",
    "StandardPage",
    "redirect_to_login",
]
