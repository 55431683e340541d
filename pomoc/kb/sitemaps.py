"""``/sitemap.xml``: every public published translation, in its own language's address."""

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.urls import reverse

from pomoc.kb.models import Translation


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self):
        return (Translation.objects.filter(published_version__isnull=False, article__internal=False)
                .only("language", "slug", "published_at").order_by("id"))

    def location(self, item: Translation) -> str:
        return reverse("kb:article", args=[item.language, item.slug])

    def lastmod(self, item: Translation):
        return item.published_at


def sitemap(request):
    return sitemap_view(request, {"articles": ArticleSitemap()})
