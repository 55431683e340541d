import pytest

from pomoc.testing.factories import DepartmentFactory, UserFactory, make_ticket


@pytest.fixture
def team(db, django_capture_on_commit_callbacks):
    """Alice and Bob in Support, Olga in Billing (cannot see Support's tickets), one Support ticket."""
    support, billing = DepartmentFactory(name="Support"), DepartmentFactory(name="Billing")
    alice = UserFactory(username="alice", first_name="Alice", last_name="Archer", email="alice@example.com")
    bob = UserFactory(username="bob", first_name="Bob", last_name="Baker", email="bob@example.com")
    olga = UserFactory(username="olga", first_name="Olga", last_name="Other")
    support.members.add(alice, bob)
    billing.members.add(olga)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(department=support, subject="Kettle leaks")
    return alice, bob, olga, ticket


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed():`` runs what waits for the commit (the dispatcher) at the block's end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
