"""Real-name data for booking, minimised: validate, key and mask identity documents.

The clear ID or phone number is validated once at the edge, turned into a keyed hash
(for credit rules and look-ups) and a masked form (for screens and staff pages), and
then dropped: it is never stored, logged or put in an exception message.

Phone look-up keys
    A booking is found again by code and phone; the phone is kept only as
    ``phone_lookup_key``: scrypt (RFC 7914, N=2^14, r=8, p=1: 16 MiB and about 2^24
    block operations per try) of the number, salted with a key derived from the
    deployment's secret key. With the mask hiding six digits, recovering one phone from a
    copy of the database *and* the secret key takes a million scrypt runs (hours of a
    processor per number), where the former HMAC took ten thousand HMACs (milliseconds).

Validation
    居民身份证 (resident ID): 18 characters; a real province-level region code; a birth
    date that exists, is not in the future and not more than 150 years before ``today``;
    the GB 11643 check character (ISO 7064 MOD 11-2). 港澳台居民居住证 and the new
    外国人永久居留身份证 use the same check character. Other documents are checked by
    format only. Input is NFKC-normalised (full-width digits become ASCII), stripped of
    spaces and upper-cased, so a lowercase ``x`` is accepted.

Masking (every mask keeps the length, so staff can spot a mistyped number; an ID mask
never shows more than half of the characters):
    ID, 15 characters or more: first 3 and last 4, e.g. ``110***********123X``; the
    birth date is always hidden. 9-14 characters: first 2 and last 2
    (``E1*****78``). 5-8 characters: first and last (``1******8``). Shorter: all stars.
    Phone: ``138******78`` (the first 3 and last 2 digits: a million numbers share a
    mask); anything that is not an 11-digit mobile is masked like an ID.
    Name: one character ``*``; two ``张*``; three ``张*三``; four or more: the first
    character, then a star for every other character (``欧***``; a middle dot stays in
    place: ``阿***·***``). A name with spaces (Latin script) keeps each word's initial:
    ``J*** S****``.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
import unicodedata
from datetime import date

from hall.errors import InvalidInput

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
MAX_AGE_YEARS = 150
# Province-level codes of GB/T 2260 (71 台湾, 81 香港, 82 澳门).
PROVINCE_CODES = frozenset(
    (
        *range(11, 16),
        *range(21, 24),
        *range(31, 38),
        *range(41, 47),
        *range(50, 55),
        *range(61, 66),
        71,
        81,
        82,
    )
)
HMT_PREFIXES = ("810000", "820000", "830000")  # 香港, 澳门, 台湾

MIDDLE_DOT = "·"
_DOT_VARIANTS = str.maketrans({"•": MIDDLE_DOT, "・": MIDDLE_DOT, "‧": MIDDLE_DOT, "∙": MIDDLE_DOT})
_NAME_SEPARATORS = frozenset(" ·'-.")
_PHONE_JUNK = re.compile(r"[\s\-()]")
_PHONE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")


class DocumentKind(enum.StrEnum):
    """The identity documents a citizen may book with."""

    RESIDENT_ID = "resident_id"  # 居民身份证
    PASSPORT = "passport"  # 护照
    HK_MACAO_PERMIT = "hk_macao_permit"  # 港澳居民来往内地通行证
    TAIWAN_PERMIT = "taiwan_permit"  # 台湾居民来往大陆通行证
    HMT_RESIDENCE_PERMIT = "hmt_residence_permit"  # 港澳台居民居住证
    FOREIGN_PERMANENT_RESIDENT = "foreign_permanent_resident"  # 外国人永久居留身份证


_FORMATS: dict[DocumentKind, re.Pattern[str]] = {
    DocumentKind.PASSPORT: re.compile(r"[A-Z0-9]{5,20}"),
    DocumentKind.HK_MACAO_PERMIT: re.compile(r"[HM](?:\d{8}|\d{10})"),
    DocumentKind.TAIWAN_PERMIT: re.compile(r"\d{8}"),
}
_FORMAT_NAMES: dict[DocumentKind, tuple[str, str]] = {
    DocumentKind.PASSPORT: ("5 to 20 letters or digits", "5 至 20 位字母或数字"),
    DocumentKind.HK_MACAO_PERMIT: (
        "H or M followed by 8 or 10 digits",
        "H 或 M 加 8 位或 10 位数字",
    ),
    DocumentKind.TAIWAN_PERMIT: ("8 digits", "8 位数字"),
    DocumentKind.HMT_RESIDENCE_PERMIT: (
        "18 characters starting with 810000, 820000 or 830000",
        "以 810000、820000 或 830000 开头的 18 位号码",
    ),
    DocumentKind.FOREIGN_PERMANENT_RESIDENT: (
        "18 characters starting with 9, or 3 letters and 12 digits",
        "以 9 开头的 18 位号码，或 3 位字母加 12 位数字",
    ),
}


def _id_error(reason: str, message: str, message_zh: str) -> InvalidInput:
    return InvalidInput(message, message_zh, fields={"id_number": reason})


def check_char(body: str) -> str:
    """The GB 11643 check character for a 17-digit body; raises ValueError if not 17 digits."""
    if len(body) != 17 or not body.isascii() or not body.isdigit():
        raise ValueError("the body of an ID number is 17 digits")
    total = sum(int(digit) * weight for digit, weight in zip(body, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def _normalise_document(number: str) -> str:
    return "".join(unicodedata.normalize("NFKC", number).split()).upper()


def validate_id_number(kind: DocumentKind | str, number: str, *, today: date) -> str:
    """Return the normalised document number; raises InvalidInput naming what is wrong."""
    try:
        kind = DocumentKind(kind)
    except ValueError:
        raise InvalidInput(
            "Choose a known identity document type.",
            "请选择有效的证件类型。",
            fields={"id_kind": "unknown"},
        ) from None
    value = _normalise_document(number)
    if not value:
        raise _id_error("required", "Enter the document number.", "请填写证件号码。")
    if kind is DocumentKind.RESIDENT_ID:
        _check_resident_id(value, today)
    elif kind is DocumentKind.HMT_RESIDENCE_PERMIT:
        _check_hmt_residence_permit(value, today)
    elif kind is DocumentKind.FOREIGN_PERMANENT_RESIDENT:
        _check_foreign_permanent_resident(value)
    elif not _FORMATS[kind].fullmatch(value):
        raise _format_error(kind)
    return value


def _format_error(kind: DocumentKind) -> InvalidInput:
    en, zh = _FORMAT_NAMES[kind]
    return _id_error("bad_format", f"The document number must be {en}.", f"证件号码应为{zh}。")


def _check_resident_id(value: str, today: date) -> None:
    if len(value) != 18:
        raise _id_error(
            "bad_length", "A resident ID number has 18 characters.", "居民身份证号码应为 18 位。"
        )
    _check_gb11643_shape(value)
    if int(value[:2]) not in PROVINCE_CODES:
        raise _id_error(
            "bad_region",
            "The ID number does not start with a real region code.",
            "身份证号码的地区码不正确。",
        )
    _check_birth_date(value[6:14], today)
    _check_checksum(value)


def _check_hmt_residence_permit(value: str, today: date) -> None:
    if len(value) != 18 or not value.startswith(HMT_PREFIXES):
        raise _format_error(DocumentKind.HMT_RESIDENCE_PERMIT)
    _check_gb11643_shape(value)
    _check_birth_date(value[6:14], today)
    _check_checksum(value)


def _check_foreign_permanent_resident(value: str) -> None:
    if len(value) == 15 and re.fullmatch(r"[A-Z]{3}\d{12}", value):
        return  # the old format carries no check character
    if len(value) != 18 or not value.startswith("9"):
        raise _format_error(DocumentKind.FOREIGN_PERMANENT_RESIDENT)
    _check_gb11643_shape(value)
    _check_checksum(value)


def _check_gb11643_shape(value: str) -> None:
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise _id_error(
            "bad_format",
            "The number must be 17 digits followed by a digit or X.",
            "号码应为 17 位数字加 1 位数字或 X。",
        )


def _check_birth_date(digits: str, today: date) -> None:
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        born = None
    oldest = _years_before(today, MAX_AGE_YEARS)
    if born is None or born > today or born < oldest:
        raise _id_error(
            "bad_birth_date",
            "The birth date inside the ID number is not a valid date of birth.",
            "身份证号码中的出生日期不正确。",
        )


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def _check_checksum(value: str) -> None:
    if check_char(value[:17]) != value[17]:
        raise _id_error(
            "bad_checksum",
            "The ID number's check character is wrong; please look for a typing mistake.",
            "证件号码校验位不正确，请核对是否输错。",
        )


def validate_phone(number: str) -> str:
    """Return the 11-digit mainland mobile number; raises InvalidInput if it is not one."""
    compact = _PHONE_JUNK.sub("", unicodedata.normalize("NFKC", number))
    match = _PHONE.fullmatch(compact)
    if match is None:
        raise InvalidInput(
            "Enter an 11-digit mainland mobile number starting with 13 to 19.",
            "请填写以 13 至 19 开头的 11 位手机号码。",
            fields={"phone": "bad_format"},
        )
    return match.group(1)


def validate_name(name: str) -> str:
    """Return the trimmed name; raises InvalidInput if it is empty, too long or not a name."""
    value = " ".join(unicodedata.normalize("NFKC", name).translate(_DOT_VARIANTS).split())
    if not 1 <= len(value) <= 30:
        raise InvalidInput(
            "Enter a name of 1 to 30 characters.",
            "姓名应为 1 至 30 个字符。",
            fields={"name": "bad_length"},
        )
    if not _looks_like_a_name(value):
        raise InvalidInput(
            "A name may contain letters and Chinese characters, joined by spaces, '·', '-', "
            "''' or '.', but no digits or symbols.",
            "姓名只能包含汉字、字母及间隔号“·”，不能包含数字或符号。",
            fields={"name": "bad_characters"},
        )
    return value


def _looks_like_a_name(value: str) -> bool:
    if not (_is_letter(value[0]) and (_is_letter(value[-1]) or value[-1] == ".")):
        return False
    previous_separator = False
    for char in value:
        separator = char in _NAME_SEPARATORS
        if not separator and not _is_letter(char):
            return False
        if separator and previous_separator and char != " ":
            return False
        previous_separator = separator
    return True


def _is_letter(char: str) -> bool:
    # Unicode letters cover Chinese characters, Latin (with accents) and other scripts;
    # combining marks are allowed for names typed in decomposed form.
    return unicodedata.category(char)[0] in "LM"


def keyed_hash(secret: str, kind: str, value: str) -> str:
    """HMAC-SHA256 (hex) of a normalised value, domain-separated by kind; raises ValueError."""
    if not secret or not kind:
        raise ValueError("keyed_hash needs a non-empty secret and kind")
    normalised = _normalise_document(value)
    # A length prefix keeps (kind, value) pairs unambiguous whatever characters they hold.
    message = f"{len(kind)}:{kind}:{normalised}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


PHONE_SCRYPT_N = 2**14
PHONE_SCRYPT_R = 8
PHONE_SCRYPT_P = 1
PHONE_SCRYPT_MAXMEM = 64 * 1024 * 1024


def phone_lookup_key(secret: str, phone: str) -> str:
    """The slow, keyed look-up key (hex scrypt) of a validated mobile number; raises
    ValueError without a secret. Costs tens of milliseconds: call it off the event loop."""
    if not secret:
        raise ValueError("phone_lookup_key needs a non-empty secret")
    salt = hmac.new(secret.encode(), b"tongban phone lookup key", hashlib.sha256).digest()
    return hashlib.scrypt(
        f"phone:{phone}".encode(),
        salt=salt,
        n=PHONE_SCRYPT_N,
        r=PHONE_SCRYPT_R,
        p=PHONE_SCRYPT_P,
        maxmem=PHONE_SCRYPT_MAXMEM,
        dklen=32,
    ).hex()


def mask_id(number: str) -> str:
    """Mask a document number for display; never raises, never returns the full value."""
    value = _normalise_document(number)
    size = len(value)
    if size >= 15:
        keep_head, keep_tail = 3, 4
    elif size >= 9:
        keep_head, keep_tail = 2, 2
    elif size >= 5:
        keep_head, keep_tail = 1, 1
    else:
        return "*" * size
    return value[:keep_head] + "*" * (size - keep_head - keep_tail) + value[size - keep_tail :]


def mask_phone(number: str) -> str:
    """Mask a phone number as 138******78; never raises, never returns the full value."""
    try:
        value = validate_phone(number)
    except InvalidInput:
        return mask_id(number)
    return f"{value[:3]}******{value[9:]}"


def mask_name(name: str) -> str:
    """Mask a name for display (张*, 张*三, 欧***, J*** S****); never raises."""
    value = " ".join(unicodedata.normalize("NFKC", name).translate(_DOT_VARIANTS).split())
    if " " in value:
        return " ".join(word[0] + "*" * (len(word) - 1) for word in value.split(" "))
    if len(value) <= 1:
        return "*" * len(value)
    if len(value) == 3:
        return value[0] + "*" + value[2]
    return value[0] + "".join(char if char == MIDDLE_DOT else "*" for char in value[1:])
