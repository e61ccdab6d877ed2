"""The writer's manifest beside the output folder: its format, and the no-op check that reads it."""

from __future__ import annotations

import marshal
import os
import struct
from array import array

import pytest

from generator.build import manifest
from generator.build.builder import build
from generator.build.options import BuildOptions

ENTRIES = {
    "index.html": ["a" * 64, 120, 1_700_000_000_000_000_001],
    "briefings/été/index.html": ["b" * 64, 4_096, 1_700_000_000_000_000_002],
    "feed.xml": ["c" * 64, 77, 3],
}


def _format_2(files: dict[str, list]) -> bytes:
    """A manifest as versions before format 3 wrote it."""
    names = sorted(files)
    numbers = array("q")
    for name in names:
        numbers.extend(files[name][1:3])
    digests = "\0".join(files[name][0] for name in names)
    return b"briefings-manifest 2\n" + marshal.dumps(("\0".join(names), digests, numbers.tobytes()))


@pytest.mark.parametrize("files", [ENTRIES, {}], ids=["three files", "empty"])
def test_the_manifest_reads_back_what_was_written_and_what_format_2_wrote(files):
    assert manifest._decode(manifest._encode(files)).entries() == files
    assert manifest._decode(_format_2(files)).entries() == files


def test_a_truncated_or_inconsistent_manifest_knows_no_file():
    data = manifest._encode(ENTRIES)
    names_cut = data.replace(b"feed.xml\0", b"feed.xml/", 1)  # two names where there are three
    for broken in (data[:-10], data[: len(data) // 2], names_cut):
        assert manifest._decode(broken).names == []


def test_a_manifest_whose_names_outnumber_its_numbers_is_unreadable(tmp_path):
    """The output check takes such a manifest as no manifest (the output not current), whatever its delta
    says: a name with no numbers, and two names with one pair of numbers."""
    output = _built(tmp_path)
    marker = manifest.marker_digest(output)
    assert manifest.output_is_current(output, marker)  # as built
    for names, numbers in ((b"a.txt", b""), (b"a.txt\0b.txt", struct.pack("<2q", 5, 7))):
        manifest.manifest_path(output).write_bytes(
            manifest.MANIFEST_FORMAT
            + manifest._LENGTHS.pack(len(names), len(numbers))
            + names
            + numbers
        )
        manifest.delta_path(output).write_text('{"a.txt": null}', encoding="utf-8")
        assert manifest._listing(output) is None
        assert manifest.output_is_current(output, marker) is None


def test_the_listing_knows_each_of_its_names_and_no_other(tmp_path):
    """`holds` bisects the manifest's sorted names (the delta's few against all of them): every name is
    found, first, last, non-ASCII and a name that is not UTF-8 included, and names between them are not."""
    names = sorted(
        {"index.html", "feed.xml", "briefings/été/index.html", "z/ü", "a", "b\udcff.png"}
        | {f"briefings/b-{i:04d}/index.html" for i in range(0, 400, 3)}
    )
    output = tmp_path / "output"
    output.mkdir()
    manifest.manifest_path(output).write_bytes(
        manifest._encode({name: ["0" * 64, 1, 2] for name in names})
    )
    listing = manifest._listing(output)
    assert listing is not None and listing.count == len(names)
    for name in names:
        assert listing.holds(name.encode("utf-8", "surrogateescape")), name
    absent = [
        "",
        "0",
        "briefings/b-0001/index.html",
        "briefings/b-9999/index.html",
        "zz",
        "index.htm",
    ]
    for name in absent + [n + "x" for n in names]:
        assert not listing.holds(name.encode("utf-8", "surrogateescape")), name


@pytest.mark.parametrize(
    "window", [8192, 64, 8], ids=["all names at once", "a few", "one at a time"]
)
def test_the_child_and_the_caller_check_every_file_wherever_they_meet(
    tmp_path, monkeypatch, window
):
    """The check's child goes from the first file up to where the caller has taken over, the caller from
    the last down to where the child has got, each splitting the names a window of bytes at a time: for
    every meeting point and every file, an altered file is found by one of the two, and an unaltered
    folder passes on both sides."""
    monkeypatch.setattr(manifest, "_WINDOW", window)
    output = _built(tmp_path)
    marker = manifest.marker_digest(output)
    names = manifest._listing(output).names()
    count = len(names)
    assert count > 4

    def halves_pass(meet: int) -> bool:
        check = manifest.OutputCheck(output, marker)  # small: not forked, both sides run here
        check._meeting[1] = meet  # the caller has taken the files from `meet` on
        forward = check._forward()
        assert check._meeting[0] == meet or forward is None
        check._meeting[1] = 1 << 62
        return forward is not None and check._backward()

    for meet in range(count + 1):
        assert halves_pass(meet)
    for i in (0, count // 2, count - 1):
        path = output / names[i].decode()
        stamp = path.stat()
        os.utime(path, ns=(1, 1))
        assert all(not halves_pass(meet) for meet in range(count + 1))
        os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))


def _built(tmp_path):
    project = tmp_path / "site"
    (project / "content/briefings").mkdir(parents=True)
    (project / "site.yaml").write_text("title: T\nbase_url: https://example.org/\n")
    build(project, BuildOptions(run_import=False, jobs=1))
    return project / "output"


@pytest.mark.parametrize(
    "forked", [False, True], ids=["in the caller", "a forked child and the caller"]
)
def test_the_check_counts_the_delta_and_finds_any_file_altered(tmp_path, monkeypatch, forked):
    """Files a text-edit build wrote (the manifest's delta) are counted and checked with the rest; a file
    altered, removed or a manifest cut short makes the folder not current."""
    if forked:
        monkeypatch.setattr(manifest, "_FORK_FROM", 0)
    output = _built(tmp_path)
    files = sorted(p for p in output.rglob("*") if p.is_file() and p.name != manifest.MARKER)
    count = manifest.output_is_current(output, manifest.marker_digest(output))
    assert count == len(files) > 4

    added = output / "extra.txt"
    added.write_text("new")
    st = added.stat()
    gone = files[0]
    gone.unlink()
    manifest.note_written(
        output,
        {"extra.txt": ["d" * 64, st.st_size, st.st_mtime_ns]},
        [gone.relative_to(output).as_posix()],
    )
    assert manifest.output_is_current(output, manifest.marker_digest(output)) == count

    os.utime(added, ns=(1, 1))  # a file of the delta altered
    assert manifest.output_is_current(output, manifest.marker_digest(output)) is None
    os.utime(added, ns=(st.st_atime_ns, st.st_mtime_ns))
    files[-1].unlink()  # a file of the manifest gone
    assert manifest.output_is_current(output, manifest.marker_digest(output)) is None

    path = manifest.manifest_path(output)
    path.write_bytes(path.read_bytes()[:-100])
    assert manifest.output_is_current(output, manifest.marker_digest(output)) is None


def test_a_full_build_rewrites_an_earlier_formats_manifest_but_no_file(tmp_path):
    """After an upgrade (always a full build: the generator's code is an input), the manifest is rewritten
    in this format, and no output file is written again for it."""
    output = _built(tmp_path)
    path = manifest.manifest_path(output)
    entries = manifest.read_manifest(output)
    path.write_bytes(_format_2(entries))
    report = build(output.parent, BuildOptions(run_import=False, jobs=1, verify=True))
    assert report.stats.written == 0
    assert manifest.in_current_format(output)
    assert manifest.read_manifest(output) == entries
