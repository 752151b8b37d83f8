"""Templates and SMS segments: placeholders, conditional text, personalisation checks, GSM-7 vs UCS-2."""

from datetime import UTC, datetime

from lienthong_notify.domain.channels import Channel, Status, may_move
from lienthong_notify.domain.sms import SmsEncoding, count_segments
from lienthong_notify.domain.templates import (
    TemplateVersion,
    check_personalisation,
    placeholders,
    render,
    template_problems,
)


def make(body: str, subject: str = "") -> TemplateVersion:
    now = datetime.now(UTC)
    return TemplateVersion(
        "t1", "a", Channel.SMS, "n", subject, body, 1, now, now, placeholders(subject, body)
    )


def test_placeholders_include_flags_and_names_inside_conditional_text():
    t = make("Chào ((name)). ((urgent??Hạn chót ((deadline)).))")
    assert t.placeholders == ("deadline", "name", "urgent")


def test_conditional_text_shown_only_for_yes_or_true():
    t = make("A((vip?? VIP ((name))))B")
    assert render(t, {"vip": "yes", "name": "An"})[1] == "A VIP AnB"
    assert render(t, {"vip": "TRUE", "name": "An"})[1] == "A VIP AnB"
    assert render(t, {"vip": "no", "name": "An"})[1] == "AB"


def test_parentheses_around_and_next_to_a_placeholder_stay_literal():
    for text, shown in [
        ("Biên lai (((reference)))", "Biên lai (REF-1)"),
        ("((reference)))", "REF-1)"),
        ("(((reference))", "(REF-1"),
        ("((((reference))))", "((REF-1))"),
        ("Cơ quan (mã ((reference))).", "Cơ quan (mã REF-1)."),
    ]:
        t = make(text)
        assert t.placeholders == ("reference",), text
        assert render(t, {"reference": "REF-1"})[1] == shown
        assert template_problems(Channel.SMS, "x", "", text) == []


def test_conditional_text_in_literal_parentheses_is_shown_or_hidden_whole():
    t = make("Hẹn ((date))((late?? (trễ hạn))).")
    assert t.placeholders == ("date", "late")
    assert render(t, {"date": "01/12", "late": "yes"})[1] == "Hẹn 01/12 (trễ hạn)."
    assert render(t, {"date": "01/12", "late": "no"})[1] == "Hẹn 01/12."
    wrapped = make("A((vip??(((name)))))B")
    assert wrapped.placeholders == ("name", "vip")
    assert render(wrapped, {"vip": "yes", "name": "An"})[1] == "A(An)B"
    assert render(wrapped, {"vip": "no", "name": "An"})[1] == "AB"
    sad = make("((vip??:( tiếc))")  # an unmatched "(" in the text does not swallow the closing "))"
    assert render(sad, {"vip": "yes"})[1] == ":( tiếc"


def test_malformed_and_too_deeply_nested_placeholders_are_problems_of_their_field():
    assert template_problems(Channel.EMAIL, "x", "S ((a(b)))", "ok") == [
        ("subject", "placeholder name 'a(b)' is not valid")
    ]
    assert template_problems(Channel.SMS, "x", "", "(())")[0][0] == "body"
    assert template_problems(Channel.SMS, "x", "", "((x") == []  # never closed: literal text
    deep = "((a??" * 1000 + "x" + "))" * 1000  # 7,001 characters; rendering it would exhaust the stack
    assert template_problems(Channel.EMAIL, "x", "s", deep) == [
        ("body", "placeholders are nested more than 10 deep")
    ]
    ten = "((a??" * 9 + "((x))" + "))" * 9
    assert template_problems(Channel.EMAIL, "x", "s", ten) == []


def test_missing_and_unexpected_personalisation_are_listed_by_name():
    t = make("((a)) ((b))")
    problems = check_personalisation(t.placeholders, {"a": "1", "c": "3", "d": "4"})
    assert [name for name, _ in problems] == ["b", "c", "d"]
    assert "missing" in problems[0][1] and "not a placeholder" in problems[1][1]
    assert check_personalisation(t.placeholders, {"a": "1", "b": "2"}) == []


def test_template_rules():
    assert template_problems(Channel.EMAIL, "x", "", "body") == [
        ("subject", "is required for an e-mail template")
    ]
    assert template_problems(Channel.SMS, "x", "s", "body")[0][0] == "subject"
    assert template_problems(Channel.SMS, "x", "", "a" * 919)[0][0] == "body"
    assert template_problems(Channel.SMS, "x", "", "ok ((name))") == []


def test_71_vietnamese_characters_take_two_ucs2_segments():
    text = ("Hồ sơ của bạn đã được duyệt. Vui lòng đến nhận kết quả tại UBND phường.")[:71]
    assert len(text) == 71
    seg = count_segments(text)
    assert (seg.encoding, seg.character_count, seg.segment_count) == (SmsEncoding.UCS2, 71, 2)
    assert count_segments(text[:70]).segment_count == 1
    assert count_segments("đ" * 134).segment_count == 2 and count_segments("đ" * 135).segment_count == 3


def test_gsm7_limits_and_extension_characters_count_twice():
    assert count_segments("a" * 160) == count_segments("a" * 160)
    assert count_segments("a" * 160).segment_count == 1
    assert count_segments("a" * 161).segment_count == 2
    assert count_segments("a" * 306).segment_count == 2 and count_segments("a" * 307).segment_count == 3
    euro = count_segments("€" * 80)
    assert (euro.encoding, euro.character_count, euro.segment_count) == (SmsEncoding.GSM7, 160, 1)
    assert count_segments("€" * 81).segment_count == 2
    assert count_segments("Ho so da duoc duyet").encoding is SmsEncoding.GSM7
    assert count_segments("Hồ sơ").encoding is SmsEncoding.UCS2
    assert count_segments("`").encoding is SmsEncoding.UCS2  # not in GSM 03.38


def test_statuses_move_forward_only():
    assert may_move(Status.CREATED, Status.SENDING) and may_move(Status.SENDING, Status.DELIVERED)
    assert may_move(Status.CREATED, Status.DELIVERED)
    assert not may_move(Status.DELIVERED, Status.TEMPORARY_FAILURE)
    assert not may_move(Status.SENDING, Status.CREATED)
    assert not may_move(Status.PERMANENT_FAILURE, Status.DELIVERED)
