import json

from signclip_desktop.settings import Settings, config_dir, load_settings, save_settings, settings_path


def test_defaults_when_missing(tmp_path):
    s, notice = load_settings(tmp_path / "settings.json")
    assert s == Settings() and notice is None


def test_round_trip_is_atomic_and_keeps_unknown_keys(tmp_path):
    p = tmp_path / "cfg" / "settings.json"
    s = Settings(source="file", camera_index=2, last_file="/x/clip.pose", left_handed=True, pack="fingerspelling",
                 top_k=3, sensitivity=1.5, extra={"practice_page": {"level": 2}})
    save_settings(s, p)
    assert not [f for f in p.parent.iterdir() if f.name != "settings.json"]  # no temp file left
    back, notice = load_settings(p)
    assert notice is None and back == s
    assert json.loads(p.read_text())["practice_page"] == {"level": 2}


def test_corrupt_file_falls_back_and_is_kept_aside(tmp_path):
    p = tmp_path / "settings.json"
    p.write_text('{"top_k": 3, "pack": ')
    s, notice = load_settings(p)
    assert s == Settings()
    assert notice and "default" in notice and "settings.json.bad" in notice
    assert (tmp_path / "settings.json.bad").read_text() == '{"top_k": 3, "pack": '
    assert not p.exists()
    save_settings(s, p)  # the next save writes a good file again
    assert load_settings(p) == (Settings(), None)


def test_not_an_object_is_corrupt(tmp_path):
    p = tmp_path / "settings.json"
    p.write_text("[1, 2]")
    s, notice = load_settings(p)
    assert s == Settings() and notice and (tmp_path / "settings.json.bad").exists()


def test_bad_fields_reset_alone(tmp_path):
    p = tmp_path / "settings.json"
    p.write_text(json.dumps({"top_k": "many", "sensitivity": 99, "left_handed": True, "source": "tv"}))
    s, notice = load_settings(p)
    assert s.left_handed is True and s.top_k == Settings().top_k
    assert s.sensitivity == 4.0 and s.source == "camera"
    assert "top_k" in notice and "sensitivity" in notice and "source" in notice
    assert p.exists()  # a readable file is not moved aside


def test_config_dir_honours_signclip_home(tmp_path, monkeypatch):
    monkeypatch.setenv("SIGNCLIP_HOME", str(tmp_path / "home"))
    assert config_dir() == tmp_path / "home"
    assert settings_path() == tmp_path / "home" / "settings.json"
    monkeypatch.delenv("SIGNCLIP_HOME")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert config_dir() == tmp_path / "xdg" / "signclip-desktop"


def test_deeply_nested_file_is_set_aside_and_defaults_used(tmp_path):
    p = tmp_path / "settings.json"
    p.write_text("[" * 100_000)  # once a RecursionError traceback and no window (issue 12)
    s, notice = load_settings(p)
    assert s == Settings() and "damaged" in notice
    assert (tmp_path / "settings.json.bad").read_text() == "[" * 100_000 and not p.exists()
    p.write_text('{"extra": ' + "{\"a\": " * 200 + "1" + "}" * 201)
    s, notice = load_settings(p)
    assert s == Settings() and "damaged" in notice


def test_utf8_bom_is_accepted(tmp_path):
    p = tmp_path / "settings.json"
    p.write_bytes(b"\xef\xbb\xbf" + json.dumps({"top_k": 3, "pack": "fingerspelling"}).encode())
    s, notice = load_settings(p)
    assert notice is None and s.top_k == 3 and s.pack == "fingerspelling"


def test_bad_utf8_and_nan_are_damage_not_a_crash(tmp_path):
    for data in (b'{"pack": "\xff\xfe"}', b'{"sensitivity": NaN}', b'{"top_k": 1e999999}'):
        p = tmp_path / "settings.json"
        p.write_bytes(data)
        s, notice = load_settings(p)
        assert notice is not None and s.clamped() == s
