"""The trial cache: a warm load is the cold load, and nothing stale survives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import trialbook.load.dataset
from conftest import spy_on
from trialbook.load import cache as cache_module
from trialbook.load.dataset import LoadResult, load_dataset

REPO = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def data(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "data", tmp_path / "data")
    return tmp_path / "data"


def _same(a: LoadResult, b: LoadResult) -> None:
    assert a.diagnostics == b.diagnostics
    assert a.dataset.trials == b.dataset.trials
    assert a.dataset.failed == b.dataset.failed
    assert a.digests == b.digests


def test_warm_load_equals_cold_load(data: Path, tmp_path: Path, checked_trials: list[str]) -> None:
    cold = load_dataset(data)
    first = load_dataset(data, cache_dir=tmp_path / "cache")
    warm = load_dataset(data, cache_dir=tmp_path / "cache")
    _same(cold, first)
    _same(cold, warm)
    assert (first.cache_hits, first.cache_misses) == (0, 3)
    assert (warm.cache_hits, warm.cache_misses) == (3, 0)
    assert sorted(checked_trials) == sorted(
        ["camms223", "care-ms-i", "care-ms-ii"] * 2
    )  # cold, first


def test_edit_reads_only_the_edited_trial(
    data: Path, tmp_path: Path, checked_trials: list[str]
) -> None:
    cache = tmp_path / "cache"
    load_dataset(data, cache_dir=cache)
    checked_trials.clear()
    trial = data / "trials/care-ms-ii.yaml"
    trial.write_text(trial.read_text(encoding="utf-8").replace("centres: 180", "centres: 181"))
    result = load_dataset(data, cache_dir=cache)
    assert checked_trials == ["care-ms-ii"]
    assert result.dataset.trials["care-ms-ii"].trial.centres.value == 181  # type: ignore[union-attr]
    # The entry of the old text is gone: one entry per trial.
    assert len(list(cache.glob("*.trial.pickle"))) == 3


def test_csv_edit_is_a_change_too(data: Path, tmp_path: Path, checked_trials: list[str]) -> None:
    load_dataset(data, cache_dir=tmp_path / "cache")
    checked_trials.clear()
    csv = data / "trials/camms223.adverse-events.csv"
    csv.write_text(csv.read_text(encoding="utf-8") + "\n")
    load_dataset(data, cache_dir=tmp_path / "cache")
    assert checked_trials == ["camms223"]


def test_errors_come_back_from_the_cache(data: Path, tmp_path: Path) -> None:
    trial = data / "trials/care-ms-ii.yaml"
    text = trial.read_text(encoding="utf-8")
    trial.write_text(text.replace("\nname: CARE-MS II\n", "\nname: CARE-MS II\nphase: 3\n"))
    cold = load_dataset(data)
    load_dataset(data, cache_dir=tmp_path / "cache")
    warm = load_dataset(data, cache_dir=tmp_path / "cache")
    assert not warm.ok
    assert warm.cache_hits == 3
    _same(cold, warm)
    assert "care-ms-ii" in warm.dataset.failed
    assert any("duplicate key 'phase'" in d.message for d in warm.diagnostics)


def test_a_change_of_sources_rechecks_every_trial(
    data: Path, tmp_path: Path, checked_trials: list[str]
) -> None:
    """Trials cite sources by id: remove one and each trial must be checked again."""
    load_dataset(data, cache_dir=tmp_path / "cache")
    checked_trials.clear()
    sources = data / "sources.yaml"
    text = sources.read_text(encoding="utf-8")
    start = text.index("  - id: fernandez-2014")
    end = text.index("  - id:", start + 1)
    sources.write_text(text[:start] + text[end:], encoding="utf-8")
    result = load_dataset(data, cache_dir=tmp_path / "cache")
    assert sorted(checked_trials) == ["camms223", "care-ms-i", "care-ms-ii"]
    assert any("unknown source 'fernandez-2014'" in d.message for d in result.diagnostics)
    _same(load_dataset(data), result)


def test_a_change_of_code_is_a_miss(
    data: Path, tmp_path: Path, checked_trials: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    load_dataset(data, cache_dir=tmp_path / "cache")
    checked_trials.clear()
    monkeypatch.setattr(cache_module, "code_digest", lambda: "another version")
    load_dataset(data, cache_dir=tmp_path / "cache")
    assert len(checked_trials) == 3


@pytest.mark.parametrize("damage", [b"", b"garbage", b"\x80\x05K"])
def test_damaged_entries_are_misses(
    data: Path, tmp_path: Path, checked_trials: list[str], damage: bytes
) -> None:
    cache = tmp_path / "cache"
    cold = load_dataset(data, cache_dir=cache)
    for entry in cache.glob("*.pickle"):  # each trial's, and the whole load's
        entry.write_bytes(damage)
    checked_trials.clear()
    again = load_dataset(data, cache_dir=cache)
    assert len(checked_trials) == 3
    _same(cold, again)
    assert load_dataset(data, cache_dir=cache).cache_hits == 3  # repaired


def test_unusable_cache_folder_is_no_cache(data: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    result = load_dataset(data, cache_dir=blocked)
    assert result.ok
    assert (result.cache_hits, result.cache_misses) == (0, 0)
    _same(load_dataset(data), result)


def test_prune_keeps_unrelated_files(data: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "README").write_text("mine", encoding="utf-8")
    load_dataset(data, cache_dir=cache)
    assert (cache / "README").read_text(encoding="utf-8") == "mine"


def test_file_digest_frames_each_file(tmp_path: Path) -> None:
    """One file cannot imitate two (nor a missing one): each file is length-framed."""
    yaml_file, csv_file = tmp_path / "t.yaml", tmp_path / "t.adverse-events.csv"
    yaml_file.write_bytes(b"id: t\n")
    csv_file.write_bytes(b"event,group\n")
    pair = cache_module.file_digest([yaml_file, csv_file])
    imitation = tmp_path / "imitation"
    imitation.mkdir()
    lone = imitation / "t.yaml"
    for glue in (b"\0", b""):
        lone.write_bytes(b"id: t\n" + glue + str(csv_file).encode() + glue + b"event,group\n")
        assert cache_module.file_digest([lone]) != pair
    missing = tmp_path / "gone.yaml"
    before = cache_module.file_digest([missing])
    for content in (b"", b"E2", b"\0<unreadable>"):
        missing.write_bytes(content)
        assert cache_module.file_digest([missing]) != before


def test_a_file_saved_while_read_is_not_cached(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editor saving between digest and read must not file new text under old key."""
    trial = data / "trials/care-ms-ii.yaml"
    original = trial.read_text(encoding="utf-8")
    real = trialbook.load.dataset._check_trial_files

    def save_meanwhile(stem: str, *args: object) -> object:
        outcome = real(stem, *args)  # type: ignore[arg-type]
        if stem == "care-ms-ii":
            trial.write_text(original.replace("centres: 180", "centres: 181"))
        return outcome

    monkeypatch.setattr(trialbook.load.dataset, "_check_trial_files", save_meanwhile)
    load_dataset(data, cache_dir=tmp_path / "cache")
    # Nor the whole load, under the digest of the folder before or after the save.
    assert list((tmp_path / "cache").glob("*.load.pickle")) == []
    assert list((tmp_path / "cache").glob("*.summary.pickle")) == []
    monkeypatch.setattr(trialbook.load.dataset, "_check_trial_files", real)
    trial.write_text(original, encoding="utf-8")
    warm = load_dataset(data, cache_dir=tmp_path / "cache")
    assert warm.cache_hits == 2  # care-ms-ii was not stored under its old digest
    _same(load_dataset(data), warm)


def test_decimal_context_is_part_of_the_key(
    data: Path, tmp_path: Path, checked_trials: list[str]
) -> None:
    import decimal

    load_dataset(data, cache_dir=tmp_path / "cache")
    checked_trials.clear()
    with decimal.localcontext() as ctx:
        ctx.prec = 12
        load_dataset(data, cache_dir=tmp_path / "cache")
    assert len(checked_trials) == 3


def test_code_digest_covers_modules_in_subfolders(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Editing a module in any subfolder of the package changes the cache key."""
    package = tmp_path / "trialbook"
    shutil.copytree(cache_module.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache_module, "PACKAGE", package)
    before = cache_module._code_digest()
    for module in ("checks/arithmetic.py", "read/yamlfile.py", "sphinxext/render.py"):
        path = package / module
        original = path.read_bytes()
        path.write_bytes(original + b"\n# edited\n")
        assert cache_module._code_digest() != before, module
        path.write_bytes(original)
    assert cache_module._code_digest() == before


def test_an_unchanged_folder_is_one_stored_load(
    data: Path, tmp_path: Path, checked_trials: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No trial is looked up, no shared file read: the stored load is the load."""
    cache = tmp_path / "cache"
    first = load_dataset(data, cache_dir=cache)
    checked_trials.clear()
    read = spy_on(monkeypatch, trialbook.load.dataset, "_read_list")
    warm = load_dataset(data, cache_dir=cache)
    assert (checked_trials, read) == ([], [])
    assert (warm.cache_hits, warm.cache_misses) == (3, 0)
    _same(first, warm)
    assert warm.dataset.sources == first.dataset.sources
    assert warm.dataset.milestones == first.dataset.milestones
    assert len(list(cache.glob("*.load.pickle"))) == 1
    assert len(list(cache.glob("*.trial.pickle"))) == 3  # kept for the next edit


@pytest.mark.parametrize(
    "change",
    [
        "a stray file beside the shared ones",
        "a stray file among the trials",
        "a hidden file among the trials",
        "a link out of the folder",
        "an edited source",
        "a new trial",
    ],
)
def test_any_change_the_load_would_see_is_a_new_load(
    data: Path, tmp_path: Path, change: str
) -> None:
    cache = tmp_path / "cache"
    before = load_dataset(data, cache_dir=cache)
    trials = data / "trials"
    if change == "a stray file beside the shared ones":
        (data / "extra.yml").write_text("a: 1\n", encoding="utf-8")
    elif change == "a stray file among the trials":
        (trials / "notes.txt").write_text("to do\n", encoding="utf-8")
    elif change == "a hidden file among the trials":
        (trials / ".hidden.yaml").write_text("id: x\n", encoding="utf-8")
    elif change == "a link out of the folder":
        outside = tmp_path / "elsewhere.yaml"
        outside.write_text("id: elsewhere\n", encoding="utf-8")
        (trials / "elsewhere.yaml").symlink_to(outside)
    elif change == "an edited source":
        sources = data / "sources.yaml"
        sources.write_text(sources.read_text(encoding="utf-8") + "  - id: [\n")
    else:
        text = (trials / "care-ms-ii.yaml").read_text(encoding="utf-8")
        (trials / "copy.yaml").write_text(text.replace("id: care-ms-ii", "id: copy", 1))
    warm = load_dataset(data, cache_dir=cache)
    _same(load_dataset(data), warm)
    seen = (warm.diagnostics, sorted(warm.dataset.trials))
    assert seen != (before.diagnostics, sorted(before.dataset.trials))
    assert len(list(cache.glob("*.load.pickle"))) == 1  # the old load's entry is gone


def test_the_digest_of_a_folder_follows_links_and_ignores_what_is_not_read(
    data: Path, tmp_path: Path
) -> None:
    before = cache_module.folder_digest(data)
    readme = data / "README.md"
    readme.write_text("about the data\n", encoding="utf-8")
    listed = cache_module.folder_digest(data)
    assert listed != before  # a new entry
    readme.write_text("about the data, longer\n", encoding="utf-8")
    assert cache_module.folder_digest(data) == listed  # its bytes are not read
    one, two = tmp_path / "one.yaml", tmp_path / "two.yaml"
    one.write_text("id: x\n", encoding="utf-8")
    two.write_text("id: x\n", encoding="utf-8")
    link = data / "trials" / "x.yaml"
    link.symlink_to(one)
    to_one = cache_module.folder_digest(data)
    link.unlink()
    link.symlink_to(two)  # the same bytes, elsewhere
    assert cache_module.folder_digest(data) != to_one
