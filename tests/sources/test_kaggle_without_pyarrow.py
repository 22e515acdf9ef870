"""Without pyarrow (the bundled app leaves it out) a parquet file gets a clear SourceError naming
the file and saying what to install, never a crash."""
import sys

import pytest

from signclip_desktop.sources import SourceError, load_sequences


@pytest.fixture()
def no_pyarrow(monkeypatch):
    for name in ("pyarrow", "pyarrow.parquet"):
        monkeypatch.setitem(sys.modules, name, None)  # `import pyarrow.parquet` raises ImportError


def test_the_bundled_app_says_parquet_needs_the_pip_install(tmp_path, monkeypatch, no_pyarrow):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    f = tmp_path / "1080.parquet"
    f.write_bytes(b"PAR1")
    with pytest.raises(SourceError, match=r"1080\.parquet: Kaggle parquet import is not part of the bundled app"
                                          r".*pip install") as e:
        load_sequences(f)
    assert e.value.path == str(f)


def test_a_checkout_without_pyarrow_names_the_package(tmp_path, monkeypatch, no_pyarrow):
    monkeypatch.delattr(sys, "frozen", raising=False)
    f = tmp_path / "1080.parquet"
    f.write_bytes(b"PAR1")
    with pytest.raises(SourceError, match=r"1080\.parquet: reading parquet needs pyarrow: pip install 'pyarrow"):
        load_sequences(f)
