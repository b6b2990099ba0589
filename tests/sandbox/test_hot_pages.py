"""Pages copied ahead into a fresh sandbox: the probe finds what a run writes, and only that."""

from __future__ import annotations

import array
import ctypes
import os
import sys

import pytest

from deepdive.sandbox import hot_pages
from deepdive.sandbox.hot_pages import PAGE, HotPages

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


def test_populate_gives_a_fork_its_own_copy_of_exactly_those_pages() -> None:
    _buffer_kept, first = _buffer()
    wanted = HotPages(array.array("Q", (first + 8 * PAGE, 4 * PAGE)))
    readable, writable = os.pipe()
    pid = os.fork()
    if pid == 0:  # a fork shares every page of the buffer until it writes to one
        try:
            before = [_exclusive(first + n * PAGE) for n in range(16)]
            wanted.populate()
            after = [_exclusive(first + n * PAGE) for n in range(16)]
            os.write(writable, bytes(before + after))
        finally:
            os._exit(0)
    os.close(writable)
    report = os.read(readable, 64)
    os.close(readable)
    os.waitpid(pid, 0)
    before, after = list(report[:16]), list(report[16:])
    assert before == [0] * 16
    assert after == [0] * 8 + [1] * 4 + [0] * 4
