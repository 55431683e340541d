from datetime import timedelta

import pytest
from django.core.cache import cache

from pomoc.channels.email.rate_limit import AutoResponseLimiter, is_automated_address


def test_three_answers_a_day_per_sender_by_default():
    limiter = AutoResponseLimiter()
    assert [limiter.allow("jana@example.cz") for _ in range(5)] == [True, True, True, False, False]
    assert limiter.sent("jana@example.cz") == 5


def test_senders_are_counted_separately_and_case_insensitively():
    limiter = AutoResponseLimiter(limit=1)
    assert limiter.allow("Jana@Example.cz")
    assert not limiter.allow("jana@example.cz ")
    assert limiter.allow("petr@example.cz")


def test_the_count_lives_in_the_shared_cache():
    AutoResponseLimiter(limit=2).allow("jana@example.cz")
    another_worker = AutoResponseLimiter(limit=2)
    assert another_worker.allow("jana@example.cz")
    assert not another_worker.allow("jana@example.cz")


def test_a_new_window_starts_when_the_old_one_ends():
    limiter = AutoResponseLimiter(limit=1, window=timedelta(hours=1))
    assert limiter.allow("jana@example.cz")
    assert not limiter.allow("jana@example.cz")
    cache.delete(limiter._key("jana@example.cz"))  # what the cache does when the window times out
    assert limiter.allow("jana@example.cz")


def test_reset_forgets_a_sender():
    limiter = AutoResponseLimiter(limit=1)
    limiter.allow("jana@example.cz")
    limiter.reset("jana@example.cz")
    assert limiter.allow("jana@example.cz")


def test_limit_zero_never_answers():
    assert not AutoResponseLimiter(limit=0).allow("jana@example.cz")
    with pytest.raises(ValueError):
        AutoResponseLimiter(limit=-1)


@pytest.mark.parametrize(
    "address",
    [
        "MAILER-DAEMON@mail.example.org",
        "mailer-daemon@googlemail.com",
        "postmaster@example.de",
        "noreply@shop.example",
        "no-reply@accounts.example",
        "no_reply@example.com",
        "info-noreply@example.com",
        "do-not-reply@example.com",
        "donotreply@example.com",
        "bounce@example.com",
        "bounces+12345-abcd@sendgrid.example",
        "bounce-mc.us21_123@mail123.example",
        "users-request@lists.example.org",
        "owner-users@lists.example.org",
        "users-bounces@lists.example.org",
        "",
        "not an address",
        "jana@localhost",
    ],
)
def test_automated_addresses_never_get_an_answer(address):
    assert is_automated_address(address)
    assert not AutoResponseLimiter().allow(address)


@pytest.mark.parametrize(
    "address",
    ["jana.novakova@example.cz", "bouncer.fan@example.com", "replyguy@example.com", "jan+orders@example.pl",
     "<petra@example.ee>"],
)
def test_people_are_answered(address):
    assert not is_automated_address(address)
    assert AutoResponseLimiter().allow(address)
