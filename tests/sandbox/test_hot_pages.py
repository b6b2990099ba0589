"""Pages copied ahead into a fresh sandbox: the probe finds what a run writes, and only that."""

from __future__ import annotations

import array
import ctypes
import mmap
import os
import sys

import pytest

from deepdive.sandbox import hot_pages
from deepdive.sandbox.hot_pages import PAGE, HotPages
from deepdive.sandbox.isolation import libc

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")

PAGES = 64


def _buffer() -> tuple[bytearray, int]:
    """A buffer of this process's own memory, every page present, and its first page's address
    (rounded up to a page boundary)."""
    buffer = bytearray(b"x" * (PAGES + 1) * PAGE)
    address = ctypes.addressof((ctypes.c_char * len(buffer)).from_buffer(buffer))
    return buffer, -(-address // PAGE) * PAGE


def _covered(found: HotPages, address: int) -> bool:
    pairs = zip(found.ranges[0::2], found.ranges[1::2], strict=True)
    return any(start <= address < start + length for start, length in pairs)


def _exclusive(address: int) -> bool:
    with open("/proc/self/pagemap", "rb") as pagemap:
        pagemap.seek(address // PAGE * 8)
        (entry,) = array.array("Q", pagemap.read(8))
    return bool(entry >> 63 & 1 and entry >> 56 & 1)


def test_the_probe_finds_the_shared_pages_a_run_writes_and_not_the_others() -> None:
    buffer, first = _buffer()
    offset = first - ctypes.addressof((ctypes.c_char * len(buffer)).from_buffer(buffer))

    def workload() -> None:
        buffer[offset + 10 * PAGE] = ord("y")  # one page of the buffer, nothing else

    found = hot_pages.probe(workload)
    if found is None:
        pytest.skip("this kernel cannot copy pages ahead (Linux 5.14+ with pagemap)")
    assert _covered(found, first + 10 * PAGE)
    assert not any(_covered(found, first + n * PAGE) for n in (0, 9, 11, 40, PAGES - 1))
    assert buffer[offset + 10 * PAGE] == ord("x"), "the probe's write stayed in the probe"


def _in_a_fork(first: int, pages: int, wanted: HotPages, *, unmap: int | None = None) -> bytes:
    """Populate `wanted` in a fork of this process (after unmapping page `unmap`, if given):
    which of `pages` pages from `first` the fork had of its own before, and after."""
    readable, writable = os.pipe()
    pid = os.fork()
    if pid == 0:  # a fork shares every page of the buffer until it writes to one
        try:
            before = bytes(_exclusive(first + n * PAGE) for n in range(pages))
            if unmap is not None:
                libc = ctypes.CDLL(None, use_errno=True)
                libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
                assert libc.munmap(first + unmap * PAGE, PAGE) == 0
            wanted.populate()
            after = bytes(_exclusive(first + n * PAGE) if n != unmap else 0 for n in range(pages))
            os.write(writable, before + after)
        finally:
            os._exit(0)
    os.close(writable)
    chunks = []
    while chunk := os.read(readable, 1 << 16):
        chunks.append(chunk)
    os.close(readable)
    os.waitpid(pid, 0)
    return b"".join(chunks)


@pytest.mark.parametrize("batched", [False, True], ids=["one-call-per-range", "batched"])
def test_populate_gives_a_fork_its_own_copy_of_exactly_those_pages(batched: bool) -> None:
    if batched and not hot_pages.batched_populate_works():
        pytest.skip("this kernel cannot copy a list of ranges ahead at once (Linux 6.13+)")
    _buffer_kept, first = _buffer()
    wanted = HotPages(array.array("Q", (first + 8 * PAGE, 4 * PAGE)), batched=batched)
    assert wanted.batched is batched
    report = _in_a_fork(first, 16, wanted)
    before, after = list(report[:16]), list(report[16:])
    assert before == [0] * 16
    assert after == [0] * 8 + [1] * 4 + [0] * 4


def _mapping(pages: int) -> tuple[mmap.mmap, int]:
    region = mmap.mmap(-1, pages * PAGE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    region.write(b"x" * pages * PAGE)  # every page present, and this process's own
    view = ctypes.c_char.from_buffer(region)
    address = ctypes.addressof(view)
    del view
    return region, address


def test_batched_populate_takes_more_ranges_than_one_call_can() -> None:
    if not hot_pages.batched_populate_works():
        pytest.skip("this kernel cannot copy a list of ranges ahead at once (Linux 6.13+)")
    pages = 2 * (libc.IOV_MAX + 200)
    _region, first = _mapping(pages)
    every_other = [value for n in range(0, pages, 2) for value in (first + n * PAGE, PAGE)]
    wanted = HotPages(array.array("Q", every_other), batched=True)
    after = _in_a_fork(first, pages, wanted)[pages:]
    assert list(after) == [1, 0] * (pages // 2)


def test_batched_populate_skips_a_range_unmapped_since_the_probe() -> None:
    if not hot_pages.batched_populate_works():
        pytest.skip("this kernel cannot copy a list of ranges ahead at once (Linux 6.13+)")
    _region, first = _mapping(12)
    ranges = [first + 1 * PAGE, 2 * PAGE, first + 5 * PAGE, PAGE, first + 8 * PAGE, 3 * PAGE]
    wanted = HotPages(array.array("Q", ranges), batched=True)
    after = list(_in_a_fork(first, 12, wanted, unmap=5)[12:])
    assert after == [0, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 0]
