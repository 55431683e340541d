"""Reading macros: the (cached) choices pages offer."""

from django.core.cache import cache

from pomoc.automation.macros.models import Macro

CHOICES_KEY = "macros:choices"


def macro_choices() -> list[tuple[int, str]]:
    """``[(id, name), …]`` by name, from the cache; read again after any change to a macro."""
    choices = cache.get(CHOICES_KEY)
    if choices is None:
        choices = list(Macro.objects.order_by("name").values_list("pk", "name"))
        cache.set(CHOICES_KEY, choices, 3600)
    return choices


def forget_macro_choices() -> None:
    cache.delete(CHOICES_KEY)
