"""factory_boy factories shared by every app's tests."""

import factory

from pomoc.accounts.models import Department, Role, User
from pomoc.contacts.models import Company, Contact, Identity, IdentityKind
from pomoc.tickets import services
from pomoc.tickets.models import Channel, Tag


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"agent{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.AGENT
    password = factory.PostGenerationMethodCall("set_password", "pass-Word-123")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Department {n}")


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Faker("company")
    domains = factory.LazyAttribute(lambda o: [])


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact
        skip_postgeneration_save = True

    name = factory.Faker("name")

    @factory.post_generation
    def email(obj, create, extracted, **kwargs):
        if create:
            Identity.objects.create(contact=obj, kind=IdentityKind.EMAIL,
                                    value=extracted or f"customer{obj.pk}@example.org")

    @factory.post_generation
    def bounced(obj, create, extracted, **kwargs):
        """``bounced=True``: mail to the contact's addresses bounces."""
        if create and extracted:
            obj.identities.update(bounced=True)


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"tag{n}")


def make_ticket(*, requester=None, subject="Printer on fire", body="It is on fire.", department=None,
                assignee=None, channel=Channel.EMAIL, actor=None, **kwargs):
    """A ticket created through the real service, with its first customer message."""
    return services.ticket_create(
        requester=requester or ContactFactory(), subject=subject, body_text=body, department=department,
        assignee=assignee, channel=channel, actor=actor, **kwargs,
    )


def make_customer_user(contact=None, username=None):
    contact = contact or ContactFactory()
    user = UserFactory(username=username or f"customer{contact.pk}", role=Role.CUSTOMER)
    contact.user = user
    contact.save(update_fields=["user"])
    return user
