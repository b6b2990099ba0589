#!/bin/sh
# Starts the sandbox runner as the container's PID 1 (the runner must be the only process in
# the container's cgroup to hand the memory and pids controllers down to its sandboxes).
#
# Container runtimes mount the cgroup file system read-only even for a container that holds
# CAP_SYS_ADMIN; the runner gives every sandbox a cgroup below the container's own (a cgroup
# namespace: it cannot reach anything outside the container), so the mount is made writable.
set -eu
if [ ! -w /sys/fs/cgroup ]; then
    if ! mount -o remount,rw /sys/fs/cgroup 2>/dev/null; then
        echo "runner: /sys/fs/cgroup is read-only and cannot be remounted: the runner needs" \
             "CAP_SYS_ADMIN, a private cgroup namespace and no AppArmor mount rule (see" \
             "deploy/README.md, 'What the runner container needs')" >&2
        exit 1
    fi
fi
exec "$@"
