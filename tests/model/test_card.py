from pathlib import Path

from signclip_desktop.model.card import summarize_card

REPO = Path(__file__).resolve().parents[2]


def test_shipped_cards_summarise_with_their_own_numbers():
    for name in ("words", "fingerspelling"):
        s = summarize_card(REPO / "models" / name)
        card = (REPO / "models" / name / "MODEL_CARD.md").read_text(encoding="utf-8")
        assert s.has_card and name in s.title and s.description
        assert s.results, f"{name}: no results rows found"
        for measure, value in s.results:
            assert value in card  # never a number the card does not state


def test_pack_without_card_says_so(tmp_path):
    s = summarize_card(tmp_path, description="my signs")
    assert not s.has_card and s.description == "my signs" and s.results == []
