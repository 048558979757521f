"""The public site's own settings (blog/): page sizes of its listings."""

BLOG_POSTS_PER_PAGE = 10
SEARCH_RESULTS_PER_PAGE = 10
