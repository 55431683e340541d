"""An erasure finds the person in stored import files by address, phone, order and name (a whole name
cell, case aside, unless the row holds another contact's address), and in an import's original file
name; everyone else's rows stay."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pomoc.contacts import privacy
from pomoc.contacts import services as contact_services
from pomoc.contacts.merging import contact_merge
from pomoc.contacts.models import IdentityKind
from pomoc.orders import imports, personal_data
from pomoc.orders import services as order_services
from pomoc.orders.models import ImportJob
from pomoc.testing.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = "order_id,email,name,currency,placed_at,product,unit_price\n"


def _import(kind: str, content: str, file_name: str = "file.csv") -> ImportJob:
    source = order_services.source_get_or_create(key="shop") if kind == "orders" else None
    job = imports.import_create(kind=kind, upload=SimpleUploadedFile(file_name, content.encode()), user=None,
                                source=source)
    imports.import_run(job.pk, job.runner)
    return ImportJob.objects.get(pk=job.pk)


def _lines(job: ImportJob) -> list[str]:
    with job.file.open("rb") as handle:
        return [line.strip() for line in handle.read().decode().splitlines()]


def test_rows_with_her_whole_name_go_unless_another_contact_s_address_is_on_them():
    jana = ContactFactory(name="Jana Nováková", email="jana@example.com")
    ContactFactory(name="Jana Nováková", email="other.jana@example.org")  # the same name, another person
    job = _import("orders", HEADER
                  + "1,jana@example.com,Jana Nováková,EUR,2026-01-01,Mug,5\n"
                  + "2,other.jana@example.org,Jana Nováková,EUR,2026-01-01,Tea,5\n"
                  + "3,unknown@example.net,  JANA   NOVÁKOVÁ ,EURO,2026-01-01,Pot,5\n"  # refused: no one's address
                  + "4,,jana nováková,EUR,2026-01-01,Cup,5\n"
                  + "5,petr@example.net,Jana Nováková-Dvořáková,EUR,2026-01-01,Jug,5\n"
                  + "6,eva@example.net,Eva,EUR,2026-01-01,Jana Nováková,5\n"
                  + "7,new@example.net,Jana Nováková,EUR,2026-01-01,Jug,5\n")  # imported: that new contact's
    assert [e["row"] for e in job.errors] == [4, 5]
    size = job.size
    privacy.contact_erase(contact=jana)
    job.refresh_from_db()
    with job.file.open("rb") as handle:
        assert len(handle.read()) == size
    lines = [line for line in _lines(job) if line]
    assert [line.split(",")[0] for line in lines[1:]] == ["2", "5", "6", "7"]  # 1, 3 and 4 blanked
    assert job.errors == []  # the refused rows were hers


def test_names_she_gave_in_a_file_and_her_former_names_are_hers_too():
    agent = UserFactory()
    jana = ContactFactory(name="Jana Dvořáková", email="jana@example.com")
    contact_services.contact_update(contact=jana, changes={"name": "Jana Nováková"}, actor=agent)
    contacts = _import("contacts", "email,name,phone\njana@example.com,J. Nováková,\nx@example.org,X,\n")
    orders = _import("orders", HEADER + "7,no address,j. nováková,EUR,2026-01-01,Mug,5\n"
                     + "8,still no address,Jana Dvořáková,EUR,2026-01-01,Mug,5\n"
                     + "9,x@example.org,X,EUR,2026-01-01,Mug,5\n")
    assert len(orders.errors) == 2
    privacy.contact_erase(contact=jana, actor=agent)
    contacts.refresh_from_db()
    orders.refresh_from_db()
    assert [line for line in _lines(contacts) if line] == ["email,name,phone", "x@example.org,X,"]
    assert [line for line in _lines(orders) if line][1:] == ["9,x@example.org,X,EUR,2026-01-01,Mug,5"]
    assert orders.errors == []


def test_every_line_of_her_orders_goes_even_without_her_address():
    jana = ContactFactory(name="Jana", email="jana@example.com")
    first = _import("orders", HEADER + "10,jana@example.com,,EUR,2026-01-01,Mug,5\n")
    second = _import("orders", HEADER + "10,,,EUR,2026-01-01,Saucer,5\n"  # a line of her order 10
                     + "11,x@example.org,X,EUR,2026-01-01,Mug,5\n"
                     + "12,x@example.org,X,EUR,2026-01-01,Cup,5\n"
                     + "12,jana@example.com,,EUR,2026-01-01,Lid,5\n")  # her row: all of order 12 is hers
    privacy.contact_erase(contact=jana)
    first.refresh_from_db()
    second.refresh_from_db()
    assert [line for line in _lines(first) if line] == [HEADER.strip()]
    assert [line for line in _lines(second) if line][1:] == ["11,x@example.org,X,EUR,2026-01-01,Mug,5"]


def test_the_name_of_a_contact_merged_into_her_is_erased_too():
    jana = ContactFactory(name="Jana Nováková", email="jana@example.com")
    old = ContactFactory(name="Jana Old", email="jana.old@example.com")
    job = _import("contacts", "email,name,phone\njana.old@example.com,Jana Old,\n,Jana Old,\nx@example.org,X,\n")
    contact_merge(source=old, target=jana)
    privacy.contact_erase(contact=jana)
    job.refresh_from_db()
    assert [line for line in _lines(job) if line] == ["email,name,phone", "x@example.org,X,"]


@pytest.mark.parametrize(("file_name", "hers"), [
    ("jana.novakova@example.com-orders.csv", True),
    ("JANA.NOVAKOVA@EXAMPLE.COM.csv", True),
    ("Jana Nováková.csv", True),
    ("jana_novakova-2026.csv", True),
    ("Nováková, Jana.csv", False),  # not her name as written (another order of words)
    ("contacts +420 603 999 888.csv", True),
    ("orders-2026-03-01.csv", False),
    ("jana.csv", False),
])
def test_an_original_file_name_that_quotes_her_is_replaced(file_name, hers):
    jana = ContactFactory(name="Jana Nováková", email="jana.novakova@example.com")
    contact_services.identity_add(contact=jana, kind=IdentityKind.PHONE, value="+420603999888")
    job = _import("contacts", "email,name,phone\nx@example.org,X,\n", file_name=file_name)
    privacy.contact_erase(contact=jana)
    job.refresh_from_db()
    assert job.file_name == (f"import-{job.pk}.csv" if hers else file_name)
    assert [line for line in _lines(job) if line] == ["email,name,phone", "x@example.org,X,"]


def test_a_failure_quoting_her_is_replaced_and_a_swept_job_s_file_name_too():
    jana = ContactFactory(name="Jana Nováková", email="jana@example.com")
    job = _import("contacts", "email,name,phone\nx@example.org,X,\n", file_name="Jana Nováková.csv")
    job.file.delete(save=False)
    ImportJob.objects.filter(pk=job.pk).update(file="", failure="IntegrityError: jana@example.com")
    privacy.contact_erase(contact=jana)
    job.refresh_from_db()
    assert job.file_name == f"import-{job.pk}.csv" and "jana" not in job.failure


def test_a_name_key_ignores_case_spacing_and_composition():
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Jana Nováková")
    assert personal_data.name_key(f"  JANA \t {decomposed.split()[1]} ") == personal_data.name_key("jana nováková")
    assert personal_data.name_key("") == ""
