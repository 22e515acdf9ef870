"""Names of the sign languages the packs are tagged with (ISO 639-3 codes)."""
from __future__ import annotations

SIGN_LANGUAGES = {
    "ase": "American Sign Language", "ins": "Indian Sign Language", "bfi": "British Sign Language",
    "gsg": "German Sign Language", "asq": "Austrian Sign Language", "sgg": "Swiss-German Sign Language",
    "mfs": "Mexican Sign Language", "ssp": "Spanish Sign Language", "bzs": "Brazilian Sign Language",
    "psr": "Portuguese Sign Language", "ise": "Italian Sign Language", "swl": "Swedish Sign Language",
    "tsm": "Turkish Sign Language", "cse": "Czech Sign Language", "csq": "Croatian Sign Language",
    "eso": "Estonian Sign Language", "gss": "Greek Sign Language", "jos": "Jordanian Sign Language",
    "lls": "Lithuanian Sign Language", "svk": "Slovak Sign Language", "ukl": "Ukrainian Sign Language",
    "inl": "Indonesian Sign Language", "pks": "Pakistan Sign Language", "sqs": "Sri Lankan Sign Language",
    "tsq": "Thai Sign Language", "fsl": "French Sign Language", "jsl": "Japanese Sign Language",
    "csl": "Chinese Sign Language", "und": "Unknown sign language",
}


def language_name(code: str) -> str:
    """'American Sign Language (ase)'; the bare code when it is not in the table."""
    name = SIGN_LANGUAGES.get(code)
    return f"{name} ({code})" if name else code
