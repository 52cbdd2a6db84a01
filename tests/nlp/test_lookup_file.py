"""The enterprise index as a shared file (nlp/lookup_file.py): mapped read-only, answering
like the built index, updated on top, and refusing damaged or foreign files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from disclosure.namegen import generate_enterprises
from nlp.indexfile import MAGIC
from nlp.lookup import EnterpriseIndex
from nlp.lookup_file import FORMAT, IndexFileError, open_index, save_index
from nlp.uscc import make_code

NEW = make_code("91", "320583", "MA7NEW01")


@pytest.fixture(scope="module")
def rows() -> list[tuple[str, str, tuple[str, ...]]]:
    return [(r.uscc, r.name, r.aliases) for r in generate_enterprises(2000, seed=5)]


@pytest.fixture
def saved(tmp_path: Path, rows: list) -> Path:
    path = tmp_path / "lookup.idx"
    save_index(EnterpriseIndex.build(rows), path, {"who": "test"})
    return path


def _answers(index: EnterpriseIndex, queries: list[str]) -> list[list[tuple[str, float]]]:
    return [[(h.uscc, h.score) for h in index.search(q, 10)] for q in queries]


def test_mapped_index_answers_like_the_built_one(saved: Path, rows: list) -> None:
    built = EnterpriseIndex.build(rows)
    mapped, meta = open_index(EnterpriseIndex, saved)
    assert meta == {"who": "test"}
    assert len(mapped) == len(built) and mapped.mapped_bytes() == saved.stat().st_size
    queries = [name[2:9] for _, name, _ in rows[::40]] + [code for code, _, _ in rows[::97]]
    assert _answers(mapped, queries) == _answers(built, queries)
    code, name, _ = rows[7]
    assert mapped.get(code).name == name and code in mapped
    # the shared arrays are views of the file's pages, not private copies
    base = mapped._base
    assert isinstance(base._canon, np.ndarray) and not base._canon.flags.writeable
    assert not base._postings._post.flags.writeable
    assert mapped.memory_bytes() < saved.stat().st_size / 4


def test_additions_replacements_and_removals_go_on_top(saved: Path, rows: list) -> None:
    mapped, _ = open_index(EnterpriseIndex, saved)
    before = len(mapped)
    mapped.add(NEW, "昆山市璟翊珩光伏科技有限公司", ["璟翊珩"])
    assert mapped.search("璟翊珩光伏")[0].uscc == NEW
    assert len(mapped) == before + 1
    code, old_name, _ = rows[3]
    mapped.add(code, "扬州琨珩新能源有限公司")  # a registered code under a new name
    assert mapped.get(code).name == "扬州琨珩新能源有限公司"
    assert mapped.search("琨珩新能源")[0].uscc == code
    assert code not in [h.uscc for h in mapped.search(old_name, 10)]
    assert len(mapped) == before + 1
    mapped.remove(rows[4][0])
    assert rows[4][0] not in mapped and len(mapped) == before
    assert rows[4][0] not in [h.uscc for h in mapped.search(rows[4][1], 10)]
    # the file itself is unchanged: another process mapping it sees the registered state
    other, _ = open_index(EnterpriseIndex, saved)
    assert other.get(code).name == old_name and NEW not in other


def test_a_mapped_layer_cannot_be_written(saved: Path) -> None:
    mapped, _ = open_index(EnterpriseIndex, saved)
    with pytest.raises(TypeError):
        mapped._base.add(NEW, "昆山市璟翊珩光伏科技有限公司")
    with pytest.raises(ValueError):
        save_index(mapped, saved.with_name("again.idx"), {})


def _damage(path: Path, at: int, data: bytes) -> None:
    raw = bytearray(path.read_bytes())
    raw[at : at + len(data)] = data
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(b""),
        lambda p: p.write_bytes(b"not an index at all" * 10),
        lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),  # truncated
        lambda p: _damage(p, p.stat().st_size - 100, b"\xff\xfe\xfd"),  # a flipped byte
        lambda p: _damage(p, len(MAGIC), (FORMAT + 1).to_bytes(4, "little")),  # older/newer
        lambda p: p.unlink(),
    ],
    ids=["empty", "garbage", "truncated", "corrupt", "other-version", "missing"],
)
def test_damaged_or_foreign_files_are_refused(saved: Path, damage) -> None:
    damage(saved)
    with pytest.raises(IndexFileError):
        open_index(EnterpriseIndex, saved)


def test_saving_replaces_the_file_atomically(saved: Path, rows: list) -> None:
    held, _ = open_index(EnterpriseIndex, saved)  # a process still mapping the old file
    save_index(EnterpriseIndex.build(rows[:100]), saved, {"who": "again"})
    fresh, meta = open_index(EnterpriseIndex, saved)
    assert meta == {"who": "again"} and len(fresh) == 100
    assert len(held) == len(rows) and held.search(rows[-1][1])[0].uscc == rows[-1][0]
    assert [p.name for p in saved.parent.iterdir()] == [saved.name]  # no temporary left


def test_hiding_a_name_changes_neither_the_file_nor_another_process(
    saved: Path, rows: list
) -> None:
    first, _ = open_index(EnterpriseIndex, saved)
    second, _ = open_index(EnterpriseIndex, saved)
    code, name, _ = rows[11]
    first.remove(code)
    assert code not in first and code in second
    assert second.search(name, 3)[0].uscc == code
    open_index(EnterpriseIndex, saved, verify=True)  # the checksum still holds
