"""The instruction counter's record in docs/benchmarks.md (bench/instructions.py): one line per scale, rows and
commit, a new count of the same three replacing the old, the rest of the doc untouched. (The count itself needs
valgrind and a generated database: a measure, not a test.)"""

from bench import common, instructions


def test_a_count_is_recorded_once_per_scale_rows_and_commit_and_the_rest_of_the_doc_is_kept(tmp_path, monkeypatch):
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\n## Process model\n\nkept\n")
    monkeypatch.setattr(common, "DOC", doc)

    instructions.record("county", 50, "aaaaaaa", 20_754_715)
    instructions.record("county", 50, "bbbbbbb", 16_100_000)
    instructions.record("county", 10, "bbbbbbb", 9_000_000)
    instructions.record("county", 50, "bbbbbbb", 16_076_234)  # measured again

    text = doc.read_text()
    assert "## Process model\n\nkept\n" in text
    section = text[text.index(instructions.SECTION):]
    rows = [line for line in section.splitlines() if line.startswith("| county")]
    assert rows == ["| county | 50 | aaaaaaa | 20.75 M |", "| county | 10 | bbbbbbb | 9.00 M |",
                    "| county | 50 | bbbbbbb | 16.08 M |"]
