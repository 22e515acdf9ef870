"""Names of the sign languages packs and libraries are tagged with (ISO 639-3 codes), in one place.

``short_name('gsg')`` -> "German" (for lists of alphabets), ``language_name('gsg')`` ->
"German Sign Language (gsg)", ``'und'`` -> "unknown / mixed" (in both). A code not in the table is
shown as it is. The GUI uses these for every sign-language code it shows.
"""
from __future__ import annotations

# code -> the adjective the language is called by ("American" -> American Sign Language)
SHORT_NAMES = {
    "ase": "American", "ins": "Indian", "bfi": "British", "gsg": "German", "asq": "Austrian",
    "sgg": "Swiss-German", "mfs": "Mexican", "ssp": "Spanish", "bzs": "Brazilian", "psr": "Portuguese",
    "ise": "Italian", "swl": "Swedish", "tsm": "Turkish", "cse": "Czech", "csq": "Croatian", "eso": "Estonian",
    "gss": "Greek", "jos": "Jordanian", "lls": "Lithuanian", "svk": "Slovak", "ukl": "Ukrainian",
    "inl": "Indonesian", "pks": "Pakistani", "psp": "Philippine", "sqs": "Sri Lankan", "tsq": "Thai",
    "fsl": "French", "jsl": "Japanese", "csl": "Chinese", "asf": "Australian (Auslan)", "nzs": "New Zealand",
    "isg": "Irish", "dsl": "Danish", "nsl": "Norwegian", "fse": "Finnish", "rsl": "Russian", "pso": "Polish",
    "kvk": "Korean", "arl": "Argentine",
}
UNKNOWN = "und"
UNKNOWN_NAME = "unknown / mixed"
SIGN_LANGUAGES = {code: f"{name} Sign Language" for code, name in SHORT_NAMES.items()}
SIGN_LANGUAGES["asf"] = "Australian Sign Language (Auslan)"


def short_name(code: str | None) -> str:
    """'American' for 'ase'; "unknown / mixed" for 'und' or nothing; the bare code when unknown."""
    c = (code or UNKNOWN).strip().lower()
    if c == UNKNOWN:
        return UNKNOWN_NAME
    return SHORT_NAMES.get(c, code or UNKNOWN)


CHIP_NAMES = {UNKNOWN: "unknown", "asf": "Auslan"}  # the few whose short name is too long for a chip


def chip_name(code: str | None) -> str:
    """The sign language in a guess's small chip: the short name ('American', 'Swiss-German'), or a
    shorter word where that is long ('unknown' for 'und', 'Auslan'); the full name is its tooltip."""
    c = (code or UNKNOWN).strip().lower()
    return CHIP_NAMES.get(c) or short_name(code)


def full_name(code: str | None) -> str:
    """'American Sign Language' for 'ase' (no code: for lists where the code is a tooltip);
    'Unknown or mixed sign language' for 'und'; the bare code when not in the table."""
    c = (code or UNKNOWN).strip().lower()
    if c == UNKNOWN:
        return "Unknown or mixed sign language"
    return SIGN_LANGUAGES.get(c, code or UNKNOWN)


def language_name(code: str | None) -> str:
    """'American Sign Language (ase)'; 'Unknown sign language (unknown / mixed)' for 'und'; the bare
    code when not in the table."""
    c = (code or UNKNOWN).strip().lower()
    if c == UNKNOWN:
        return f"Unknown sign language ({UNKNOWN_NAME})"
    name = SIGN_LANGUAGES.get(c)
    return f"{name} ({c})" if name else (code or UNKNOWN)


def alphabet_name(code: str | None) -> str:
    """A fingerspelling alphabet in words: 'American (ase)', 'German (gsg)'."""
    c = (code or UNKNOWN).strip().lower()
    if c == UNKNOWN:
        return UNKNOWN_NAME
    return f"{SHORT_NAMES[c]} ({c})" if c in SHORT_NAMES else (code or UNKNOWN)


def code_for(text: str | None) -> str | None:
    """The code a user's text names: a code ('ase', 'ASE'), a name in any of the forms above
    ('American', 'American Sign Language', 'American Sign Language (ase)'), 'unknown / mixed'
    -> 'und'; None for text that is neither a name in the table nor a plausible code."""
    t = " ".join((text or "").split())
    if not t:
        return None
    low = t.lower()
    if low in (UNKNOWN, UNKNOWN_NAME, full_name(UNKNOWN).lower(), language_name(UNKNOWN).lower(), "unknown"):
        return UNKNOWN
    if low in SHORT_NAMES:
        return low
    for code in SHORT_NAMES:
        if low in (SHORT_NAMES[code].lower(), SIGN_LANGUAGES[code].lower()):
            return code
    if low.endswith(")") and "(" in low:  # "Name (code)": the code decides
        return code_for(low[low.rindex("(") + 1:-1])
    # any other ISO 639-3-like tag the tables do not name yet
    return low if 2 <= len(low) <= 8 and low.replace("-", "").isalnum() and low.isascii() else None
