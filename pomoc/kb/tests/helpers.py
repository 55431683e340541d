from pomoc.kb import services
from pomoc.kb.models import Section
from pomoc.testing.factories import UserFactory


def make_section(names=None) -> Section:
    category = services.category_create(names={"en": "Accounts", "cs": "Účty"})
    return services.section_create(category=category, names=names or {"en": "Signing in", "cs": "Přihlášení"})


def publisher():
    return UserFactory(role="supervisor")


def published(section=None, *, title="Přihlášení do účtu", body="Klikněte na **Přihlásit**.", language="cs",
              internal=False, author=None, tags=(), summary=""):
    """A published article (its first translation), through the services."""
    section = section or make_section()
    author = author or UserFactory(role="agent")
    translation = services.article_create(section=section, author=author, language=language, title=title,
                                          body=body, internal=internal, tags=tags, summary=summary)
    return services.translation_publish(translation=translation, actor=publisher())
