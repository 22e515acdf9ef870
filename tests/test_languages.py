"""Sign-language codes <-> the names users read (languages.py), both ways."""
import pytest

from signclip_desktop.languages import SHORT_NAMES, code_for, full_name, language_name, short_name


@pytest.mark.parametrize("text,code", [
    ("ase", "ase"), ("ASE", "ase"), ("American", "ase"), ("american sign language", "ase"),
    ("American Sign Language (ase)", "ase"), ("  German   Sign Language ", "gsg"),
    ("Australian Sign Language (Auslan)", "asf"), ("Australian (Auslan)", "asf"),
    ("und", "und"), ("unknown / mixed", "und"), ("Unknown or mixed sign language", "und"),
    ("Unknown sign language (unknown / mixed)", "und"),
    ("xyz", "xyz"),                      # a code the tables do not name yet is still a code
    ("", None), ("   ", None), ("no such language at all", None), ("a", None), ("ase!", None),
])
def test_code_for(text, code):
    assert code_for(text) == code


def test_every_name_form_reads_back_as_its_code():
    for c in list(SHORT_NAMES) + ["und"]:
        assert code_for(short_name(c)) == c and code_for(full_name(c)) == c and code_for(language_name(c)) == c


def test_chip_names_fit_a_guess_chip():
    from signclip_desktop.languages import SHORT_NAMES, chip_name

    assert chip_name("ase") == "American" and chip_name("sgg") == SHORT_NAMES["sgg"]
    assert chip_name("und") == "unknown" and chip_name(None) == "unknown" and chip_name("asf") == "Auslan"
    assert max(len(chip_name(c)) for c in SHORT_NAMES) <= 12  # 'Swiss-German', whole in the 100 px chip
