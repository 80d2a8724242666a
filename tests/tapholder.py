#!/usr/bin/env python3
# tapholder.py TAP...: open tap devices and never read them, as a VM that stopped
# reading would; the kernel drops what they are handed (tx_dropped). For 50-capture.bats.
import fcntl, os, struct, sys, time
TUNSETIFF = 0x400454ca
IFF_TAP, IFF_NO_PI = 0x0002, 0x1000
fds = []
for name in sys.argv[1:]:
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    fds.append(fd)
print("ready", flush=True)
time.sleep(60)
