"""A seccomp BPF filter, assembled by hand: the sandbox's last line of defence in the kernel.

The filter allows ordinary system calls and refuses, with `EPERM`, the ones a learner's program
never needs and an attacker would love: debugging other processes, mounting, entering or creating
namespaces, loading kernel modules, keyrings, rebooting, BPF, io_uring, changing the signal that
ends the sandbox with its runner (`PR_SET_PDEATHSIG`), and sockets of any family except
`AF_UNIX` (asyncio needs a socket pair; the network stays unreachable). `clone3` answers
`ENOSYS` so the C library falls back to `clone`, whose flags *can* be inspected. A system call
made through another ABI (32-bit `int 0x80`, x32) kills the process: its numbers differ and would
slip past the list.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import socket
import struct

from deepdive.sandbox.isolation import libc

_SECCOMP_MODE_FILTER = 2
_RET_KILL_PROCESS = 0x80000000
_RET_ERRNO = 0x00050000
_RET_ALLOW = 0x7FFF0000

_LD_W_ABS = 0x20
_JEQ_K = 0x15
_JGE_K = 0x35
_JSET_K = 0x45
_RET_K = 0x06

_OFFSET_NR = 0
_OFFSET_ARCH = 4
_OFFSET_ARG0_LOW = 16  # little-endian: the low half of args[0]

_X32_SYSCALL_BIT = 0x40000000


def _names(text: str) -> list[str]:
    return text.split()


_DENIED = _names("""
    ptrace process_vm_readv process_vm_writev pidfd_getfd kcmp mount umount2 pivot_root
    chroot mount_setattr open_tree move_mount fsopen fsconfig fsmount fspick unshare setns
    init_module finit_module delete_module kexec_load kexec_file_load reboot swapon swapoff
    add_key request_key keyctl bpf perf_event_open userfaultfd acct quotactl
    open_by_handle_at name_to_handle_at syslog settimeofday clock_settime adjtimex
    clock_adjtime lookup_dcookie vhangup sethostname setdomainname io_uring_setup
    io_uring_enter io_uring_register iopl ioperm uselib
""")


def _numbers(table: str) -> dict[str, int]:
    pairs = (item.split("=") for item in table.split())
    return {name: int(number) for name, number in pairs}


# Numbers from the kernel's unistd headers (asm/unistd_64.h and asm-generic/unistd.h).
_X86_64 = _numbers("""
    socket=41 socketpair=53 clone=56 ptrace=101 syslog=103 uselib=134 vhangup=153 pivot_root=155
    prctl=157 adjtimex=159 chroot=161 acct=163 settimeofday=164 mount=165 umount2=166 swapon=167
    swapoff=168 reboot=169 sethostname=170 setdomainname=171 iopl=172 ioperm=173 init_module=175
    delete_module=176 quotactl=179 lookup_dcookie=212 clock_settime=227 kexec_load=246
    add_key=248 request_key=249 keyctl=250 unshare=272 perf_event_open=298 name_to_handle_at=303
    open_by_handle_at=304 clock_adjtime=305 setns=308 process_vm_readv=310 process_vm_writev=311
    kcmp=312 finit_module=313 kexec_file_load=320 bpf=321 userfaultfd=323 io_uring_setup=425
    io_uring_enter=426 io_uring_register=427 open_tree=428 move_mount=429 fsopen=430
    fsconfig=431 fsmount=432 fspick=433 clone3=435 pidfd_getfd=438 mount_setattr=442
""")
_AARCH64 = _numbers("""
    lookup_dcookie=18 umount2=39 mount=40 pivot_root=41 chroot=51 vhangup=58 quotactl=60 acct=89
    unshare=97 kexec_load=104 init_module=105 delete_module=106 clock_settime=112 syslog=116
    ptrace=117 reboot=142 sethostname=161 prctl=167 setdomainname=162 settimeofday=170 adjtimex=171
    socket=198 socketpair=199 add_key=217 request_key=218 keyctl=219 clone=220 swapon=224
    swapoff=225 perf_event_open=241 name_to_handle_at=264 open_by_handle_at=265
    clock_adjtime=266 setns=268 process_vm_readv=270 process_vm_writev=271 kcmp=272
    finit_module=273 bpf=280 userfaultfd=282 kexec_file_load=294 io_uring_setup=425
    io_uring_enter=426 io_uring_register=427 open_tree=428 move_mount=429 fsopen=430
    fsconfig=431 fsmount=432 fspick=433 clone3=435 pidfd_getfd=438 mount_setattr=442
""")
_ARCHES = {"x86_64": (0xC000003E, _X86_64), "aarch64": (0xC00000B7, _AARCH64)}


class _SockFilter(ctypes.Structure):
    _fields_ = (
        ("code", ctypes.c_ushort),
        ("jt", ctypes.c_ubyte),
        ("jf", ctypes.c_ubyte),
        ("k", ctypes.c_uint32),
    )


class _SockFprog(ctypes.Structure):
    _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter)))


def supported() -> bool:
    return platform.machine() in _ARCHES and struct.pack("=I", 1) == b"\x01\x00\x00\x00"


class _Program:
    """A tiny assembler: jumps name a label, resolved to relative offsets at the end."""

    def __init__(self) -> None:
        self._code: list[tuple[int, object, object, int]] = []
        self._labels: dict[str, int] = {}

    def label(self, name: str) -> None:
        self._labels[name] = len(self._code)

    def load(self, offset: int) -> None:
        self._code.append((_LD_W_ABS, 0, 0, offset))

    def jump(self, op: int, value: int, if_true: object, if_false: object = 0) -> None:
        self._code.append((op, if_true, if_false, value))

    def ret(self, value: int) -> None:
        self._code.append((_RET_K, 0, 0, value))

    def assemble(self) -> ctypes.Array[_SockFilter]:
        def offset(target: object, here: int) -> int:
            if isinstance(target, int):
                return target
            distance = self._labels[str(target)] - here - 1
            if not 0 <= distance <= 255:
                raise ValueError(f"seccomp jump to {target} out of range")
            return distance

        program = (_SockFilter * len(self._code))()
        for index, (code, jt, jf, k) in enumerate(self._code):
            program[index] = _SockFilter(code, offset(jt, index), offset(jf, index), k)
        return program


def build_filter() -> ctypes.Array[_SockFilter]:
    """Assemble the filter for this machine's architecture."""
    audit_arch, numbers = _ARCHES[platform.machine()]
    prog = _Program()
    prog.load(_OFFSET_ARCH)
    prog.jump(_JEQ_K, audit_arch, 0, "kill")
    prog.load(_OFFSET_NR)
    if audit_arch == _ARCHES["x86_64"][0]:
        prog.jump(_JGE_K, _X32_SYSCALL_BIT, "kill")
    for name in _DENIED:
        if name in numbers:
            prog.jump(_JEQ_K, numbers[name], "deny")
    prog.jump(_JEQ_K, numbers["socket"], "check_family")
    prog.jump(_JEQ_K, numbers["socketpair"], "check_family")
    prog.jump(_JEQ_K, numbers["clone"], "check_clone")
    prog.jump(_JEQ_K, numbers["clone3"], "no_clone3")
    prog.jump(_JEQ_K, numbers["prctl"], "check_prctl")
    prog.ret(_RET_ALLOW)
    prog.label("check_prctl")
    prog.load(_OFFSET_ARG0_LOW)
    prog.jump(_JEQ_K, libc.PR_SET_PDEATHSIG, "deny", "allow")
    prog.label("check_family")
    prog.load(_OFFSET_ARG0_LOW)
    prog.jump(_JEQ_K, socket.AF_UNIX, "allow", "deny")
    prog.label("check_clone")
    prog.load(_OFFSET_ARG0_LOW)
    prog.jump(_JSET_K, libc.NAMESPACE_FLAGS, "deny", "allow")
    prog.label("no_clone3")
    prog.ret(_RET_ERRNO | errno.ENOSYS)
    prog.label("deny")
    prog.ret(_RET_ERRNO | errno.EPERM)
    prog.label("allow")
    prog.ret(_RET_ALLOW)
    prog.label("kill")
    prog.ret(_RET_KILL_PROCESS)
    return prog.assemble()


def install(program: ctypes.Array[_SockFilter]) -> None:
    """Install `program` for this process and every process it creates (irreversible)."""
    libc.prctl(libc.PR_SET_NO_NEW_PRIVS, 1)
    fprog = _SockFprog(len(program), ctypes.cast(program, ctypes.POINTER(_SockFilter)))
    libc.prctl_pointer(libc.PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog))
