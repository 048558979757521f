from django.urls import path

from blog.views.site import robots_txt, search, sitemap

app_name = "blog"

urlpatterns = [
    path("search/", search, name="search"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap, name="sitemap"),
]
