from decimal import Decimal

from sasom.notifications.sms import GSM7, UCS2, sms_count


def _triple(text):
    count = sms_count(text)
    return (count.encoding, count.units, count.segments)


def test_gsm7_single_and_concatenated():
    assert _triple("a" * 160) == (GSM7, 160, 1)
    assert _triple("a" * 161) == (GSM7, 161, 2)
    assert sms_count("a" * 306).segments == 2 and sms_count("a" * 307).segments == 3


def test_extension_characters_take_two_septets():
    count = sms_count("€" * 80)
    assert (count.encoding, count.units, count.segments) == (GSM7, 160, 1)
    assert sms_count("{" * 81).segments == 2


def test_thai_and_persian_go_as_ucs2():
    assert _triple("ก" * 70) == (UCS2, 70, 1)
    assert sms_count("ก" * 71).segments == 2
    assert sms_count("ก" * 134).segments == 2 and sms_count("ก" * 135).segments == 3
    assert sms_count("سلام").encoding == UCS2
    # one Thai letter turns a Latin text into UCS-2
    assert sms_count("a" * 69 + "ก").segments == 1 and sms_count("a" * 70 + "ก").segments == 2


def test_emoji_counts_twice_and_remaining_room():
    assert sms_count("😀" * 35).units == 70 and sms_count("😀" * 35).segments == 1
    assert sms_count("hello").remaining == 155
    assert sms_count("").segments == 0


def test_cost_per_part_is_money():
    assert sms_count("ก" * 71).cost(Decimal("0.35")) == Decimal("0.70")
