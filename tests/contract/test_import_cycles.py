"""No import cycles among the repository's own modules (generated stubs excluded): tools/import_cycles.py."""

from __future__ import annotations

from tools.import_cycles import find_cycles, first_party_packages


def test_every_first_party_package_is_checked():
    packages = first_party_packages()
    for expected in (
        "lienthong",
        "lienthong_runtime",
        "lienthong_gateway",
        "lienthong_notify",
        "bench",
        "tests",
    ):
        assert expected in packages


def test_a_cycle_is_reported_with_its_path(tmp_path, monkeypatch):
    package = tmp_path / "cyclic_example"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("import os\n\nfrom . import b\n")
    (package / "b.py").write_text("def f():\n    from .a import f  # deferred, still a cycle\n")
    (package / "c.py").write_text("from . import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert find_cycles(["cyclic_example"]) == ["cyclic_example.a:3 -> cyclic_example.b:2 -> cyclic_example.a"]


def test_no_import_cycles():
    cycles = find_cycles()
    assert cycles == [], "import cycles (break each as tools/import_cycles.py says):\n" + "\n".join(cycles)
