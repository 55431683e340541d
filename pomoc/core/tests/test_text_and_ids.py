"""The shared input checks: text without NUL or lone surrogates, ids a bigint holds."""

import pytest
from django import forms
from django.core.exceptions import ValidationError

from pomoc.accounts.models import Department
from pomoc.core.ids import MAX_ID, IdModelChoiceField, IdModelMultipleChoiceField, is_id, parse_id
from pomoc.core.sanitize import html_to_text, sanitize_html, text_to_html
from pomoc.core.text import check_line, check_text, clean_text, find_bad_text, text_problem


@pytest.mark.parametrize("value", ["a\x00b", "\ud800", "x\udfff", "\udbff\udc00"])
def test_nul_and_lone_surrogates_are_refused(value):
    assert text_problem(value)
    with pytest.raises(ValidationError) as error:
        check_text(value)
    assert error.value.code == "bad_characters"


@pytest.mark.parametrize("value", ["", "plain", "Žluťoučký kůň", "emoji 😀", "tab\tand\r\nlines", "\ufffd"])
def test_ordinary_text_passes(value):
    assert check_text(value) == value


def test_a_line_refuses_line_breaks_only_when_asked():
    assert text_problem("a\r\nb") is None
    for value in ("a\rb", "a\nb", "a\u2028b", "a\x85b"):
        with pytest.raises(ValidationError):
            check_line(value)
    assert check_line("one line, with\ttab") == "one line, with\ttab"


def test_bad_text_is_found_deep_inside_without_recursion():
    deep: object = "a\x00"
    for _ in range(5000):
        deep = {"k": [deep]}
    where, why = find_bad_text(deep)
    assert len(where) == 10000 and "Null" in why
    assert find_bad_text({"k\ud800": "v"}) == (("k\ud800",), text_problem("\ud800"))
    assert find_bad_text({"a": [1, None, "fine", {"b": True}]}) is None


def test_clean_text_drops_what_cannot_be_stored():
    assert clean_text("a\x00b\ud800c") == "abc"
    assert sanitize_html("<p>a\x00\ud800b</p>") == "<p>ab</p>"
    assert text_to_html("x\ud800y") == "<p>xy</p>"
    assert html_to_text("<p>x\udfffy</p>") == "xy"


@pytest.mark.parametrize("value", ["1", 1, " 42 ", str(MAX_ID), MAX_ID])
def test_ids_in_range(value):
    assert is_id(value)
    assert parse_id(value) == int(str(value).strip())


@pytest.mark.parametrize("value", ["0", 0, -1, "-1", str(MAX_ID + 1), 2**64, "9" * 40, "²", "١٢", "1.0", "", None,
                                   True, "0x10"])
def test_not_ids(value):
    assert not is_id(value)
    with pytest.raises(ValidationError) as error:
        parse_id(value, field="assignee")
    assert "assignee" in error.value.message_dict


@pytest.mark.django_db
def test_model_choice_fields_refuse_non_ids_before_the_query(django_assert_num_queries):
    single = IdModelChoiceField(queryset=Department.objects.all(), required=False)
    several = IdModelMultipleChoiceField(queryset=Department.objects.all(), required=False)
    with django_assert_num_queries(0):
        for value in (str(2**64), "²", "-3"):
            with pytest.raises(forms.ValidationError):
                single.clean(value)
            with pytest.raises(forms.ValidationError):
                several.clean(["1", value])
    department = Department.objects.create(name="Support")
    assert single.clean(str(department.pk)) == department
    assert list(several.clean([str(department.pk)])) == [department]
