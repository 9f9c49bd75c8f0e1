#!/bin/bash
# The PMG host test bed's mounts and sshd. tests/servers/pmghost/server.ts runs it as
#   unshare --mount --uts --propagation private bash bed.sh ROOT PARENT_PID
# so every mount below exists only in this private mount namespace, for this script and what it
# starts (sshd and its sessions), and vanishes with them. Sessions are chrooted into ROOT, whose
# /etc, /var and /root are plain directories the test built: the machine's own /etc is never
# touched. The system directories are bound read-only; the doubles shadow /usr/local/sbin, first
# on root's PATH. When PARENT_PID (the test process) dies, the watchdog below stops sshd.
set -euo pipefail
root=$1
parent=$2

for d in usr bin sbin lib lib32 lib64 libx32; do
  # A merged-/usr symlink (/bin -> usr/bin) is mirrored as the same symlink inside ROOT by server.ts.
  if [ -d "/$d" ] && [ ! -L "/$d" ]; then
    mount --bind "/$d" "$root/$d"
    mount -o remount,bind,ro "$root/$d"
  fi
done
mount --bind /dev "$root/dev"
mount -t proc proc "$root/proc"
mount --bind "$root/.testbed/bin" "$root/usr/local/sbin"
# The bed's own host name, in its own UTS namespace: fetchmail and Postfix qualify it through /etc/hosts.
hostname pmg

# A fresh PMG has a main.cf rendered from the default template; this render is not a recorded call.
TESTBED_NO_RECORD=1 PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin chroot "$root" /usr/local/sbin/pmgconfig sync --restart 0

chroot "$root" /usr/sbin/sshd -D -e -f /etc/ssh/sshd_config &
sshd=$!
trap 'kill "$sshd" 2>/dev/null; wait "$sshd" 2>/dev/null; exit 0' TERM INT
while kill -0 "$sshd" 2>/dev/null && kill -0 "$parent" 2>/dev/null; do
  sleep 0.5 &
  wait $! || true
done
kill "$sshd" 2>/dev/null || true
wait "$sshd" 2>/dev/null || true
