"""Themes and zoom: every colour name exists in both palettes and the style sheet follows them."""
import pytest

from signclip_desktop.gui import theme


@pytest.fixture(autouse=True)
def _restore():
    yield
    theme.set_theme("dark", 1.0)


def test_palettes_define_the_same_colours():
    assert set(theme.PALETTES["dark"]) == set(theme.PALETTES["high-contrast"])
    assert set(theme.THEMES) == set(theme.PALETTES)


def test_high_contrast_changes_the_style_sheet_and_module_colours():
    theme.set_theme("high-contrast", 1.0)
    assert theme.TEXT == "#ffffff" and theme.BG == "#000000"
    assert "background: #000000" in theme._style()
    theme.set_theme("nonsense")
    assert theme.NAME == "dark" and theme.BG == theme.PALETTES["dark"]["BG"]


def test_zoom_scales_type_and_is_bounded():
    theme.set_theme("dark", 1.5)
    assert theme.BASE_PT == 18 and theme.CURRENT_PT == 66 and f"font-size: {theme.CURRENT_PT}pt" in theme._style()
    assert theme.clamp_zoom(9) == 2.0 and theme.clamp_zoom(float("nan")) == 1.0 and theme.clamp_zoom("x") == 1.0
    assert theme.zoom_step(1.0, +1) == 1.15 and theme.zoom_step(1.0, -1) == 0.9 and theme.zoom_step(1.3, 0) == 1.0
    assert theme.zoom_step(2.0, +1) == 2.0 and theme.zoom_step(0.8, -1) == 0.8


def test_palette_has_dark_base_for_dialog_views(qapp):
    from PySide6.QtGui import QPalette
    pal = theme.palette()
    base = pal.color(QPalette.ColorRole.Base)
    text = pal.color(QPalette.ColorRole.Text)
    assert base.lightness() < 80 and text.lightness() > 200  # never light text on a white list
