import pytest
from django.core import mail
from django.urls import reverse

from pomoc.accounts.models import Role
from pomoc.channels.models import Inbox
from pomoc.surveys.models import Campaign, Invitation, Survey
from pomoc.testing.factories import CompanyFactory, ContactFactory, UserFactory

pytestmark = pytest.mark.django_db
SETTINGS = {"enabled": "on", "min_interval_days": "30", "valid_days": "14", "low_score": "2",
            "question_en": "", "question_cs": "Jak jsme to zvládli?", "question_pl": "", "question_et": ""}


def test_an_administrator_turns_csat_on_with_a_question_of_their_own(client):
    client.force_login(UserFactory(role=Role.ADMINISTRATOR))
    page = client.get(reverse("administration:survey", args=["csat"])).content.decode()
    assert 'placeholder="How would you rate the support you received?"' in page
    assert 'lang="cs"' in page
    response = client.post(reverse("administration:survey", args=["csat"]), SETTINGS)
    assert response.status_code == 302
    survey = Survey.objects.get(kind="csat")
    assert (survey.enabled, survey.questions, survey.low_score) == (True, {"cs": "Jak jsme to zvládli?"}, 2)
    assert "Asked after resolution" in client.get(reverse("administration:surveys")).content.decode()


@pytest.mark.parametrize(("kind", "low_score"), [("csat", "6"), ("ces", "0"), ("nps", "11")])
def test_a_follow_up_score_outside_the_scale_is_refused(client, kind, low_score):
    client.force_login(UserFactory(role=Role.ADMINISTRATOR))
    response = client.post(reverse("administration:survey", args=[kind]), {**SETTINGS, "low_score": low_score})
    assert response.status_code == 200 and response.context["form"].errors["low_score"]


def test_an_unknown_survey_kind_is_not_found(client):
    client.force_login(UserFactory(role=Role.ADMINISTRATOR))
    assert client.get(reverse("administration:survey", args=["xyz"])).status_code == 404


def test_a_campaign_goes_to_the_contacts_of_the_chosen_company(client):
    client.force_login(UserFactory(role=Role.ADMINISTRATOR))
    inbox = Inbox.objects.create(name="Support", address="support@pomoc.example")
    company = CompanyFactory(name="Acme")
    chosen = [ContactFactory(company=company) for _ in range(2)]
    ContactFactory()
    mail.outbox.clear()
    response = client.post(reverse("administration:campaign_create"),
                           {"name": "Q4", "inbox": inbox.pk, "company": company.pk})
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert (campaign.invited, campaign.finished_at is not None) == (2, True)
    assert set(Invitation.objects.values_list("contact", flat=True)) == {c.pk for c in chosen}
    assert len(mail.outbox) == 2
    listing = client.get(reverse("administration:surveys")).content.decode()
    assert "Q4" in listing and "(Acme)" in listing


def test_a_supervisor_reads_the_settings_but_cannot_change_them(client):
    client.force_login(UserFactory(role=Role.SUPERVISOR))
    page = client.get(reverse("administration:survey", args=["csat"])).content.decode()
    assert 'name="min_interval_days" value="30"' in page and "disabled" in page and ">Save</button>" not in page
    assert client.post(reverse("administration:survey", args=["csat"]), SETTINGS).status_code == 403
