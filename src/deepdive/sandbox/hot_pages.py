"""The runner's pages a run writes, copied into each fresh sandbox ahead of its run.

A sandbox is a fork of the warm runner: it shares the runner's memory until it writes to a page,
and each first write costs a copy-on-write fault, in the middle of the learner's run. Running a
warm-up app in every sandbox took those faults early, but it cost more CPU than the learner's
run itself (FastAPI builds the app, its models and its OpenAPI document each time). Instead, the
runner finds out once which of its pages a run writes: a probe (a plain fork of the runner)
notes which of its pages are present, runs the warm-up app, and reads back from
/proc/self/pagemap which of those pages have become its own copy. Every sandbox then has the
kernel copy exactly those pages (`MADV_POPULATE_WRITE`, Linux 5.14) before it says it is ready:
where the kernel takes that advice for a list of ranges at once (`process_madvise`, Linux 6.13),
in two or three system calls; elsewhere one `madvise` call per range, over a thousand of them
(which cost the sandbox about half as much CPU again).

Copying a page changes nothing in it: this only moves work, and nothing about isolation.
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import ctypes
import errno
import gc
import mmap
import os
import signal
from collections.abc import Callable, Iterator

from deepdive.sandbox.isolation import libc

PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_PRESENT = 1 << 63
_EXCLUSIVE = 1 << 56  # mapped by this process alone (a copy of its own, or fresh)
# A (start, length) pair of the ranges' array is laid out as a `struct iovec` where pointers
# are 64 bits wide.
_IOVEC_BYTES = 16
_AS_IOVECS = ctypes.sizeof(ctypes.c_void_p) == 8 and array.array("Q").itemsize == 8


class HotPages:
    """Address ranges to copy ahead: `ranges` holds (start, length) pairs, in bytes.

    With `batched`, `populate` hands the kernel the whole list in a few calls."""

    def __init__(self, ranges: array.array[int], *, batched: bool = False) -> None:
        self.ranges = ranges
        self.batched = batched and _AS_IOVECS

    @property
    def pages(self) -> int:
        return sum(self.ranges[1::2]) // PAGE

    def populate(self) -> None:
        """Copy the pages now (in the sandbox): in a few `process_madvise` calls where the
        kernel takes them (`batched`), else one `madvise` call per range.

        The runner may have unmapped or remapped a range since the probe: the pages it held are
        then simply not copied ahead, so the result of each `madvise` call is not checked.
        There are thousands of them, so that loop stays as lean as it can be.
        """
        if self.batched and self._populate_batched():
            return
        ranges, madvise, advice = self.ranges, libc.madvise_unchecked, libc.MADV_POPULATE_WRITE
        for index in range(0, len(ranges), 2):
            madvise(ranges[index], ranges[index + 1], advice)

    def _populate_batched(self) -> bool:
        """`populate` through `process_madvise`, `IOV_MAX` ranges a call; False, having copied
        nothing, where the kernel refuses it.

        The kernel stops a call at a range it cannot advise (one the runner unmapped since the
        probe) and says how far it got: the next call starts past that range."""
        try:
            pidfd = libc.pidfd_open(os.getpid())
        except OSError:
            return False
        with _closing(pidfd):
            address, items = self.ranges.buffer_info()
            count, done = items // 2, 0
            while done < count:
                batch = min(libc.IOV_MAX, count - done)
                try:
                    advised = libc.process_madvise(
                        pidfd, address + done * _IOVEC_BYTES, batch, libc.MADV_POPULATE_WRITE
                    )
                except OSError as error:
                    if done == 0 and error.errno in _REFUSED:
                        return False
                    advised = 0  # the batch's first range failed
                done += self._ranges_advised(done, batch, advised)
        return True

    def _ranges_advised(self, first: int, batch: int, advised: int) -> int:
        """How many ranges from `first` a call that advised `advised` bytes has dealt with:
        all `batch` of them, or those before the one that failed and that one."""
        lengths = self.ranges[2 * first + 1 : 2 * (first + batch) : 2]
        if advised >= sum(lengths):
            return batch
        done = 0
        for length in lengths:
            if advised < length:
                break
            advised -= length
            done += 1
        return done + 1


@contextlib.contextmanager
def _closing(fd: int) -> Iterator[int]:
    try:
        yield fd
    finally:
        os.close(fd)


# What a kernel that does not take this advice through process_madvise answers.
_REFUSED = (errno.EINVAL, errno.ENOSYS, errno.EPERM, errno.EOPNOTSUPP)


def batched_populate_works() -> bool:
    """Whether this kernel copies pages ahead for a list of ranges at once (Linux 6.13+)."""
    if not _AS_IOVECS:
        return False
    page = mmap.mmap(-1, PAGE)
    try:
        view = ctypes.c_char.from_buffer(page)
        ranges = array.array("Q", (ctypes.addressof(view), PAGE))
        del view
        with _closing(libc.pidfd_open(os.getpid())) as pidfd:
            advised = libc.process_madvise(
                pidfd, ranges.buffer_info()[0], 1, libc.MADV_POPULATE_WRITE
            )
        return advised == PAGE
    except OSError:
        return False
    finally:
        page.close()


def probe(workload: Callable[[], None]) -> HotPages | None:
    """Run `workload` in a plain fork of this process and return the pages it wrote that it
    shared with this process. None where /proc/self/pagemap cannot tell (then every sandbox
    warms up by running the warm-up app itself).

    The probe's own bookkeeping stays off the pages it measures: which pages are present is
    read here, before the fork, and the fork reads its pagemap back into a buffer mapped
    beforehand, so neither reading allocates Python objects among the pages a run writes
    (thousands of page numbers would otherwise fill the allocator's free slots there, and
    shift where the workload's own objects go). Call it where no other thread runs and nothing
    awaits between fork and reaping.
    """
    try:
        _check_populate()
        mappings = _writable_private_mappings()
        entries = sum((end - start) // PAGE for start, end in mappings)
        present, after = _Snapshot(mappings, entries), _Snapshot(mappings, entries)
        present.read()
    except OSError:
        return None
    try:
        found = _probe_in_fork(workload, present, after)
    finally:
        present.close()
        after.close()
    return HotPages(found, batched=batched_populate_works()) if found else None


def _probe_in_fork(
    workload: Callable[[], None], present: _Snapshot, after: _Snapshot
) -> array.array[int] | None:
    """The ranges of pages a fork running `workload` made its own (None if the fork failed)."""
    readable, writable = os.pipe()
    gc.freeze()  # as before a sandbox's fork: the child's collector leaves these objects alone
    try:
        pid = os.fork()
    finally:
        gc.unfreeze()
    if pid == 0:  # pragma: no cover (a child process)
        status = 1
        try:
            os.close(readable)
            signal.set_wakeup_fd(-1)
            asyncio.events._set_running_loop(None)
            workload()
            after.read()
            with open(writable, "wb", closefd=False) as pipe:
                pipe.write(_ranges(after.own_since(present)).tobytes())
            status = 0
        finally:
            os._exit(status)
    os.close(writable)
    chunks = []
    with open(readable, "rb") as pipe:
        while chunk := pipe.read(1 << 20):
            chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        return None
    ranges = array.array("Q")
    ranges.frombytes(b"".join(chunks))
    return ranges


def _check_populate() -> None:
    """Raise OSError where the kernel cannot copy pages ahead (before Linux 5.14)."""
    page = mmap.mmap(-1, PAGE)
    view = ctypes.c_char.from_buffer(page)
    try:
        libc.madvise(ctypes.addressof(view), PAGE, libc.MADV_POPULATE_WRITE)
    finally:
        del view
        page.close()


def mappings() -> list[tuple[int, int, str, str]]:
    """This process's mappings from /proc/self/maps: (start, end, permissions, name), the name
    "" for anonymous memory."""
    found = []
    with open("/proc/self/maps", encoding="ascii", errors="replace") as maps:
        for line in maps:
            fields = line.split(maxsplit=5)
            start, end = (int(value, 16) for value in fields[0].split("-"))
            found.append((start, end, fields[1], fields[5].strip() if len(fields) > 5 else ""))
    return found


def _writable_private_mappings() -> list[tuple[int, int]]:
    """(start, end) of every private writable mapping but the kernel's own ([vsyscall], ...)."""
    return [
        (start, end)
        for start, end, permissions, name in mappings()
        if permissions[1] == "w" and permissions[3] == "p" and not name.startswith("[v")
    ]


class _Snapshot:
    """The pagemap entries of `mappings`, read into memory of its own (a mapping made for it,
    outside those it reads)."""

    def __init__(self, mappings: list[tuple[int, int]], entries: int) -> None:
        self.mappings = mappings
        self._buffer = mmap.mmap(-1, max(entries, 1) * 8, flags=_PRIVATE_ANONYMOUS)
        self.entries = memoryview(self._buffer).cast("Q")

    def read(self) -> None:
        """Read the entries now; those the kernel does not give stay 0 (not present)."""
        raw = self.entries.cast("B")
        fd = os.open("/proc/self/pagemap", os.O_RDONLY)
        try:
            offset = 0
            for start, end in self.mappings:
                size = (end - start) // PAGE * 8
                done = 0
                while done < size:
                    try:
                        got = os.preadv(
                            fd, [raw[offset + done : offset + size]], start // PAGE * 8 + done
                        )
                    except OSError:
                        got = 0
                    if got <= 0:
                        break
                    done += got
                offset += size
        finally:
            os.close(fd)

    def own_since(self, present: _Snapshot) -> list[int]:
        """Pages present in `present` that are now this process's own (copies of the parent's
        pages, or fresh pages of mappings the parent had: an allocator's arenas and heap)."""
        own, index = [], 0
        before, now, wanted = present.entries, self.entries, _PRESENT | _EXCLUSIVE
        for start, end in self.mappings:
            first = start // PAGE
            for number in range(first, end // PAGE):
                if before[index] & _PRESENT and now[index] & wanted == wanted:
                    own.append(number)
                index += 1
        return own

    def close(self) -> None:
        self.entries.release()
        self._buffer.close()


_PRIVATE_ANONYMOUS = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS


def _ranges(pages: list[int]) -> array.array[int]:
    """Runs of consecutive pages as (start, length) pairs in bytes."""
    ranges = array.array("Q")
    run_start = previous = None
    for page in pages:
        if previous is not None and page == previous + 1:
            previous = page
            continue
        if run_start is not None and previous is not None:
            ranges.extend((run_start * PAGE, (previous - run_start + 1) * PAGE))
        run_start = previous = page
    if run_start is not None and previous is not None:
        ranges.extend((run_start * PAGE, (previous - run_start + 1) * PAGE))
    return ranges
