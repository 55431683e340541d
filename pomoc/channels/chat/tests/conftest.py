import pytest

from pomoc.accounts.models import AgentPresence, Presence, Role
from pomoc.channels.chat import services
from pomoc.channels.models import Inbox
from pomoc.testing.factories import DepartmentFactory, UserFactory

SITE = "https://shop.example.com"
SECRET = "s3cret-identity"


def make_chat_inbox(*, name="Shop chat", department=None, **config) -> Inbox:
    inbox = Inbox(name=name, kind="chat", department=department,
                  config={"allowed_origins": [SITE], "title": "Shop", **config})
    inbox.set_secret(services.SECRET_NAME, SECRET)
    inbox.save()
    services.inbox_key(inbox)
    return inbox


def make_agent(department, *, online=True, capacity=2, role=Role.AGENT):
    agent = UserFactory(role=role)
    department.members.add(agent)
    AgentPresence.objects.update_or_create(user=agent, defaults={
        "status": Presence.ONLINE if online else Presence.OFFLINE, "chat_capacity": capacity})
    return agent


@pytest.fixture
def department():
    return DepartmentFactory(name="Sales")


@pytest.fixture
def inbox(department):
    return make_chat_inbox(department=department)


@pytest.fixture
def visitor(inbox):
    return services.session_open(inbox=inbox, page={"url": f"{SITE}/pricing", "title": "Pricing"}).visitor
