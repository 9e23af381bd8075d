#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Stand in for systemd's end of NOTIFY_SOCKET: receive sd_notify(3)
# datagrams and log each as one line,
#
#   <CLOCK_MONOTONIC ms> <CLOCK_REALTIME ms> <sender pid> <message, its
#   newlines as '|'>
#
# the sender's pid taken from the kernel's SCM_CREDENTIALS, as systemd does
# (NotifyAccess=main).  With --freeze CMD, a message holding READY=1 stops
# its sender (SIGSTOP) on receipt, runs CMD through sh with NOTIFY_PID,
# NOTIFY_SEQ (the message's number, from 1) and NOTIFY_MSG in its
# environment, logs the message, then lets the sender go on (SIGCONT): CMD
# sees the state the sender was in when it said READY=1, and its output is
# there once the message's line is.
#
# Usage: sd_notify_listen.py [--freeze CMD] SOCKET LOG

import os
import signal
import socket
import struct
import subprocess
import sys
import time


def main():
    args = sys.argv[1:]
    freeze = None
    if len(args) >= 2 and args[0] == "--freeze":
        freeze = args[1]
        args = args[2:]
    if len(args) != 2:
        sys.stderr.write("usage: sd_notify_listen.py [--freeze CMD] SOCKET LOG\n")
        return 2
    path, log_path = args
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    sock.bind(path + ".tmp")
    os.rename(path + ".tmp", path)  # the socket appears bound, never half-made
    ucred = struct.calcsize("3i")
    seq = 0
    with open(log_path, "a", buffering=1) as log:
        while True:
            data, anc, _, _ = sock.recvmsg(4096, socket.CMSG_SPACE(ucred))
            mono_ms = time.clock_gettime(time.CLOCK_MONOTONIC) * 1000.0
            real_ms = time.time() * 1000.0
            pid = 0
            for level, kind, value in anc:
                if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                    pid = struct.unpack("3i", value[:ucred])[0]
            msg = data.decode("utf-8", "replace")
            seq += 1
            stopped = False
            if freeze and pid > 0 and "READY=1" in msg.split("\n"):
                try:
                    os.kill(pid, signal.SIGSTOP)
                    stopped = True
                except ProcessLookupError:
                    pass
            if stopped:
                env = dict(os.environ, NOTIFY_PID=str(pid), NOTIFY_SEQ=str(seq),
                           NOTIFY_MSG=msg)
                subprocess.run(["sh", "-c", freeze], env=env, check=False)
            # logged once CMD is done: whoever waits for the line finds its output
            log.write("%.3f %.0f %d %s\n" % (mono_ms, real_ms, pid, msg.replace("\n", "|")))
            if stopped:
                os.kill(pid, signal.SIGCONT)


if __name__ == "__main__":
    sys.exit(main())
