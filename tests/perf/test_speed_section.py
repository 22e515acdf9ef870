"""The README's speed section is the render of the bench JSON it names (not typed by hand)."""
import json
from pathlib import Path

from signclip_desktop.perf import speed_section

ROOT = Path(__file__).resolve().parents[2]


def test_readme_speed_section_matches_its_bench_json():
    assert speed_section.check(ROOT / "README.md") is None


def test_a_changed_number_is_caught(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    name = speed_section.START.search(readme).group("json")
    r = json.loads((ROOT / name).read_text(encoding="utf-8"))
    (tmp_path / name).parent.mkdir(parents=True)
    r["pipeline_ratio"] = (r.get("pipeline_ratio") or 1.0) + 0.5
    (tmp_path / name).write_text(json.dumps(r), encoding="utf-8")
    (tmp_path / "README.md").write_text(readme, encoding="utf-8")
    problem = speed_section.check(tmp_path / "README.md")
    assert problem and "differs" in problem
    speed_section.rewrite(tmp_path / "README.md", tmp_path / name)
    assert speed_section.check(tmp_path / "README.md") is None
    assert f"**{r['pipeline_ratio']:.2f} x**" in (tmp_path / "README.md").read_text(encoding="utf-8")
