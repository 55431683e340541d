import datetime as dt

from django.utils import timezone

from pomoc.community.models import Category
from pomoc.testing.factories import UserFactory, make_customer_user


def category(slug: str = "general", name: str = "General") -> Category:
    return Category.objects.get_or_create(slug=slug, defaults={"name": name})[0]


def customer(username: str | None = None, *, email: str | None = None, new: bool = False):
    """A customer account; an old one (not new) unless asked, so links are not held."""
    user = make_customer_user(username=username)
    user.email = email or f"{user.username}@example.com"
    if not new:
        user.date_joined = timezone.now() - dt.timedelta(days=30)
    user.save()
    return user


def agent(role: str = "agent"):
    return UserFactory(role=role)
