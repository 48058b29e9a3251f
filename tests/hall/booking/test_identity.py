"""Real-name data: document validation (GB 11643 checksum included), keyed hashes, masks."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hall.booking.identity import (
    DocumentKind,
    keyed_hash,
    mask_id,
    mask_name,
    mask_phone,
    phone_lookup_key,
    validate_id_number,
    validate_name,
    validate_phone,
)
from hall.errors import InvalidInput

TODAY = date(2026, 3, 1)
# Province-level codes written out from GB/T 2260, independently of the module's table.
PROVINCES = [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37]
PROVINCES += [41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82]


def iso7064_check(body: str) -> str:
    """ISO 7064 MOD 11-2 from its definition: weight 2^(i-1) mod 11 at position i from the right.

    The check character sits at position 1, so the body's last digit has weight 2^1.
    The check value c satisfies (sum + c) ≡ 1 (mod 11); 10 is written X.
    """
    total = sum(int(d) * pow(2, position - 1, 11) for position, d in enumerate(reversed(body), 2))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def make_id(body: str) -> str:
    return body + iso7064_check(body)


def rid(number: str) -> str:
    return validate_id_number(DocumentKind.RESIDENT_ID, number, today=TODAY)


def reason(error: pytest.ExceptionInfo[InvalidInput]) -> str:
    return next(iter(error.value.fields.values()))


# --- 居民身份证 -------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014"])
def test_the_standards_own_examples_are_valid(number: str) -> None:
    assert iso7064_check(number[:17]) == number[17]
    assert rid(number) == number


@pytest.mark.parametrize(
    "body",
    ["11010519900307123", "31011520000229456", "65010219770101000", "82000020000101999"],
)
def test_ids_with_an_independently_computed_check_character_are_valid(body: str) -> None:
    assert rid(make_id(body)) == make_id(body)


def test_lowercase_x_spaces_and_full_width_digits_are_normalised() -> None:
    assert rid(" 110105 19491231 002x ") == "11010519491231002X"
    assert rid("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "why"),
    [
        ("", "required"),
        ("11010519491231002", "bad_length"),
        ("11010519491231002X1", "bad_length"),
        ("110105194912310", "bad_length"),
        ("1101051949123100X2", "bad_format"),
        ("11010519A91231002X", "bad_format"),
        (make_id("99010519491231002"), "bad_region"),
        (make_id("00010519491231002"), "bad_region"),
        (make_id("19010519491231002"), "bad_region"),
        (make_id("72010519491231002"), "bad_region"),
        (make_id("11010520230229002"), "bad_birth_date"),
        (make_id("11010519491331002"), "bad_birth_date"),
        (make_id("11010519490000002"), "bad_birth_date"),
        (make_id("11010520260302002"), "bad_birth_date"),  # tomorrow
        (make_id("11010518760228002"), "bad_birth_date"),  # 150 years and a day
        (
            "11010519491231002" + ("0" if iso7064_check("11010519491231002") != "0" else "1"),
            "bad_checksum",
        ),
        ("110105194912310021", "bad_checksum"),
    ],
)
def test_invalid_resident_ids_are_rejected_with_the_reason(number: str, why: str) -> None:
    with pytest.raises(InvalidInput) as error:
        rid(number)
    assert error.value.fields == {"id_number": why}
    assert error.value.message != error.value.message_zh
    if number:
        assert number not in error.value.message + error.value.message_zh


def test_birth_date_bounds_are_today_and_150_years_ago() -> None:
    oldest = TODAY.replace(year=TODAY.year - 150)
    for born in (TODAY, oldest):
        assert rid(make_id(f"110105{born:%Y%m%d}001"))
    with pytest.raises(InvalidInput):
        rid(make_id(f"110105{oldest - timedelta(days=1):%Y%m%d}001"))


def test_a_leap_day_today_bounds_150_years_back_at_28_february() -> None:
    leap_day = date(2024, 2, 29)
    number = make_id("110105" + "18740228" + "001")
    assert validate_id_number("resident_id", number, today=leap_day) == number
    with pytest.raises(InvalidInput):
        validate_id_number("resident_id", make_id("11010518740227001"), today=leap_day)


def test_unknown_document_kind_is_rejected() -> None:
    with pytest.raises(InvalidInput) as error:
        validate_id_number("library_card", "12345678", today=TODAY)
    assert error.value.fields == {"id_kind": "unknown"}


birth_dates = st.dates(min_value=date(1876, 3, 1), max_value=TODAY)


@st.composite
def id_bodies(draw: st.DrawFn) -> str:
    province = draw(st.sampled_from(PROVINCES))
    area = draw(st.integers(0, 9999))
    born = draw(birth_dates)
    sequence = draw(st.integers(0, 999))
    return f"{province:02d}{area:04d}{born:%Y%m%d}{sequence:03d}"


@given(id_bodies())
def test_any_body_with_its_check_character_is_accepted(body: str) -> None:
    assert rid(make_id(body)) == make_id(body)


@given(id_bodies(), st.integers(0, 17), st.integers(1, 10))
def test_every_single_character_change_is_rejected(body: str, position: int, shift: int) -> None:
    number = make_id(body)
    alphabet = "0123456789X" if position == 17 else "0123456789"
    old = alphabet.index(number[position])
    new = alphabet[(old + shift) % len(alphabet)]
    if new == number[position]:  # shift == 10 on a 10-letter alphabet
        new = alphabet[(old + 1) % len(alphabet)]
    changed = number[:position] + new + number[position + 1 :]
    with pytest.raises(InvalidInput):
        rid(changed)


# --- other documents -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "number", "normalised"),
    [
        (DocumentKind.PASSPORT, "E12345678", "E12345678"),
        (DocumentKind.PASSPORT, "ea1234567", "EA1234567"),
        (DocumentKind.PASSPORT, "G12345678", "G12345678"),
        (DocumentKind.PASSPORT, "X1234", "X1234"),
        (DocumentKind.PASSPORT, "AB" + "1" * 18, "AB" + "1" * 18),
        (DocumentKind.HK_MACAO_PERMIT, "H12345678", "H12345678"),
        (DocumentKind.HK_MACAO_PERMIT, "m1234567890", "M1234567890"),
        (DocumentKind.TAIWAN_PERMIT, "12345678", "12345678"),
        (DocumentKind.HMT_RESIDENCE_PERMIT, make_id("81000019900101123"), None),
        (DocumentKind.HMT_RESIDENCE_PERMIT, make_id("83000020000229001"), None),
        (DocumentKind.FOREIGN_PERMANENT_RESIDENT, make_id("91115619900101001"), None),
        (DocumentKind.FOREIGN_PERMANENT_RESIDENT, "usa123456789012", "USA123456789012"),
    ],
)
def test_other_documents_are_accepted_by_format(
    kind: DocumentKind, number: str, normalised: str | None
) -> None:
    assert validate_id_number(kind, number, today=TODAY) == (normalised or number)


@pytest.mark.parametrize(
    ("kind", "number", "why"),
    [
        (DocumentKind.PASSPORT, "E123", "bad_format"),
        (DocumentKind.PASSPORT, "E" * 21, "bad_format"),
        (DocumentKind.PASSPORT, "E1234-5678", "bad_format"),
        (DocumentKind.HK_MACAO_PERMIT, "H1234567", "bad_format"),
        (DocumentKind.HK_MACAO_PERMIT, "H123456789", "bad_format"),
        (DocumentKind.HK_MACAO_PERMIT, "K12345678", "bad_format"),
        (DocumentKind.TAIWAN_PERMIT, "1234567", "bad_format"),
        (DocumentKind.TAIWAN_PERMIT, "T1234567", "bad_format"),
        (DocumentKind.HMT_RESIDENCE_PERMIT, make_id("11010519900101123"), "bad_format"),
        (DocumentKind.HMT_RESIDENCE_PERMIT, make_id("81000019901301123"), "bad_birth_date"),
        (DocumentKind.HMT_RESIDENCE_PERMIT, "810000199001011230", None),
        (DocumentKind.FOREIGN_PERMANENT_RESIDENT, make_id("81115619900101001"), "bad_format"),
        (DocumentKind.FOREIGN_PERMANENT_RESIDENT, "US1234567890123", "bad_format"),
        (DocumentKind.FOREIGN_PERMANENT_RESIDENT, "9111561990010100", "bad_format"),
        (DocumentKind.FOREIGN_PERMANENT_RESIDENT, "91115619900101001A", "bad_format"),
    ],
)
def test_other_documents_with_a_wrong_format_are_rejected(
    kind: DocumentKind, number: str, why: str | None
) -> None:
    if why is None:  # the checksum decides: pick the wrong check character
        right = iso7064_check(number[:17])
        number = number[:17] + ("0" if right != "0" else "1")
        why = "bad_checksum"
    with pytest.raises(InvalidInput) as error:
        validate_id_number(kind, number, today=TODAY)
    assert reason(error) == why
    assert number not in error.value.message + error.value.message_zh


# --- phone and name -------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "13812345678",
        " 13812345678 ",
        "+86 138 1234 5678",
        "86-138-1234-5678",
        "+8613812345678",
        "(+86) 138-1234-5678",
        "１３８１２３４５６７８",
    ],
)
def test_mainland_mobiles_are_normalised(number: str) -> None:
    assert validate_phone(number) == "13812345678"


@pytest.mark.parametrize(
    "number",
    [
        "",
        "12812345678",
        "10812345678",
        "1381234567",
        "138123456789",
        "+85213812345678",
        "+8713812345678",
        "1381234567a",
        "021-12345678",
    ],
)
def test_other_phone_numbers_are_rejected(number: str) -> None:
    with pytest.raises(InvalidInput) as error:
        validate_phone(number)
    assert error.value.fields == {"phone": "bad_format"}
    if number:
        assert number not in error.value.message + error.value.message_zh


@pytest.mark.parametrize(
    ("name", "normalised"),
    [
        ("张三", "张三"),
        ("  王  ", "王"),
        ("欧阳娜娜", "欧阳娜娜"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("阿依古丽•买买提", "阿依古丽·买买提"),
        ("John  Smith", "John Smith"),
        ("José García", "José García"),
        ("O'Brien", "O'Brien"),
        ("Jean-Luc Picard", "Jean-Luc Picard"),
        ("J. R. R. Tolkien", "J. R. R. Tolkien"),
        ("张" * 30, "张" * 30),
    ],
)
def test_names_are_trimmed_and_accepted(name: str, normalised: str) -> None:
    assert validate_name(name) == normalised


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("", "bad_length"),
        ("   ", "bad_length"),
        ("张" * 31, "bad_length"),
        ("张3", "bad_characters"),
        ("张三\x00", "bad_characters"),
        ("张\u200b三", "bad_characters"),
        ("·张三", "bad_characters"),
        ("张三·", "bad_characters"),
        ("张··三", "bad_characters"),
        ("Bob!", "bad_characters"),
        ("R2-D2", "bad_characters"),
    ],
)
def test_bad_names_are_rejected(name: str, why: str) -> None:
    with pytest.raises(InvalidInput) as error:
        validate_name(name)
    assert error.value.fields == {"name": why}


# --- keyed hash -----------------------------------------------------------------------


def test_keyed_hash_is_hmac_sha256_hex_and_normalises_the_value() -> None:
    key = keyed_hash("s3cret", "resident_id", "11010519491231002X")
    assert len(key) == 64
    assert int(key, 16) >= 0
    assert keyed_hash("s3cret", "resident_id", " 11010519491231002x") == key
    assert "11010519491231002X" not in key


def test_keyed_hash_differs_by_secret_and_by_kind() -> None:
    digits = "13812345678"
    assert keyed_hash("a", "phone", digits) != keyed_hash("b", "phone", digits)
    assert keyed_hash("a", "phone", digits) != keyed_hash("a", "passport", digits)
    # the length prefix keeps "ab" + "c..." apart from "a" + "bc..."
    assert keyed_hash("k", "ab", "C1") != keyed_hash("k", "a", "BC1")


def test_keyed_hash_refuses_an_empty_secret_or_kind() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        keyed_hash("", "phone", "13812345678")
    with pytest.raises(ValueError, match="non-empty"):
        keyed_hash("s", "", "13812345678")


# --- masks ----------------------------------------------------------------------------


def test_mask_id_keeps_first_three_and_last_four() -> None:
    assert mask_id("11010519491231002X") == "110***********002X"
    assert mask_id("11010519491231002x") == "110***********002X"


@given(id_bodies())
def test_id_masks_never_show_the_middle(body: str) -> None:
    number = make_id(body)
    masked = mask_id(number)
    assert len(masked) == 18
    assert masked[3:14] == "*" * 11
    assert number[6:14] not in masked  # the birth date
    assert masked != number


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("USA123456789012", "USA********9012"),
        ("M1234567890", "M1*******90"),
        ("E12345678", "E1*****78"),
        ("12345678", "1******8"),
        ("X1234", "X***4"),
        ("1234", "****"),
        ("", ""),
    ],
)
def test_shorter_documents_show_at_most_half(number: str, masked: str) -> None:
    assert mask_id(number) == masked
    shown = sum(1 for char in masked if char != "*")
    assert shown <= len(number) / 2


@pytest.mark.parametrize(
    ("number", "masked"),
    [("13812345678", "138******78"), ("+86 138-1234-5678", "138******78")],
)
def test_mask_phone(number: str, masked: str) -> None:
    assert mask_phone(number) == masked
    assert "1234" not in masked
    assert "5678" not in masked


def test_mask_phone_masks_even_what_is_not_a_mobile() -> None:
    assert mask_phone("021-12345678") == "02********78"


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("王", "*"),
        ("张三", "张*"),
        ("张小三", "张*三"),
        ("欧阳娜娜", "欧***"),
        ("阿依古丽·买买提", "阿***·***"),
        ("John Smith", "J*** S****"),
        ("  José  García ", "J*** G*****"),
        ("Madonna", "M******"),
        ("", ""),
    ],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


# --- a leaked database and key do not give phone numbers back -------------------------


def candidates_behind(masked: str, limit: int) -> Iterator[str]:
    """Up to ``limit`` numbers a mask allows, in order (what an attacker would try)."""
    stars = masked.count("*")
    for n in range(min(10**stars, limit)):
        yield masked.replace("*" * stars, f"{n:0{stars}d}")


def test_the_mask_and_the_key_no_longer_recover_a_phone_with_cheap_hashes() -> None:
    """The attack of issue 20: the mask, the stored key and the secret key, and ten
    thousand HMACs over the hidden digits. The stored key is no HMAC any more, so no
    candidate matches, the true number included."""
    secret, phone = "deployment-secret-key-for-this-test-only", "13912345678"
    stored, masked = phone_lookup_key(secret, phone), mask_phone(phone)
    tried = [*candidates_behind(masked, 10**4), phone]
    assert not any(keyed_hash(secret, "phone", c) == stored for c in tried)
    assert phone_lookup_key(secret, phone) == stored  # the real look-up still works
    assert phone_lookup_key("another-deployment-key-of-32-chars!!", phone) != stored


def test_a_bulk_reversal_costs_a_million_memory_hard_hashes_per_phone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Checked by parameters, not by timing: the candidates a mask leaves times scrypt's
    work per candidate (N * r block mixes of 128 * r bytes, over N * 128 * r bytes of
    memory) is at least a million runs of RFC 7914's interactive setting (N=2^14, r=8)."""
    seen: dict[str, int] = {}
    real = hashlib.scrypt

    def spy(password: bytes, **kwargs: int) -> bytes:
        seen.update(n=kwargs["n"], r=kwargs["r"], p=kwargs["p"])
        return real(password, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(hashlib, "scrypt", spy)
    phone_lookup_key("deployment-secret-key-for-this-test-only", "13912345678")
    candidates = 10 ** mask_phone("13912345678").count("*")
    memory = 128 * seen["r"] * seen["n"]
    assert memory >= 16 * 1024 * 1024
    assert candidates * seen["n"] * seen["r"] * seen["p"] >= 10**6 * 2**14 * 8


def test_the_phone_lookup_key_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        phone_lookup_key("", "13912345678")
