#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Write the seed corpus of parser_fuzz (tests/fuzz/corpus/).

Each seed: 4 header bytes (aperture pages - 1, command budget, byte budget,
ring dwords), then the ring segment, then more aperture content.
Run from the repository top: python3 tests/fuzz/gen_seeds.py
"""
import os
import struct

OP = dict(NOOP=0x00, BATCH=0x01, FILL=0x10, COPY=0x11, WRITE=0x12,
          FENCE=0x20, LRI=0x30)


def hdr(op, flags, length):
    return (OP[op] << 24) | (flags << 16) | length


def seed(ring, rest=(), pages=15, cmds=255, budget=255):
    body = struct.pack('<%dI' % len(ring), *ring)
    body += struct.pack('<%dI' % len(rest), *rest)
    return bytes([pages, cmds, budget, len(ring)]) + body


SEEDS = {
    'noop': seed([hdr('NOOP', 0, 0)] * 4),
    'fill': seed([hdr('FILL', 0, 3), 0x1000, 256, 0x11223344]),
    'copy': seed([hdr('COPY', 0, 3), 0x0, 0x2000, 64]),
    'write_data': seed([hdr('WRITE', 0, 4), 0x3000, 1, 2, 3]),
    'fence_irq': seed([hdr('FENCE', 1, 2), 0x4000, 42]),
    'lri_ok': seed([hdr('LRI', 0, 2), 0x100, 7]),
    'lri_forbidden': seed([hdr('LRI', 0, 2), 0x20, 7]),
    # ring: BATCH_START at 0x800 (12 bytes) -> BATCH_START at 0x900 -> NOOP
    'batch_nested': seed([hdr('BATCH', 0, 2), 0x800, 12],
                         [0] * (0x800 // 4 - 3) +
                         [hdr('BATCH', 0, 2), 0x900, 4] +
                         [0] * (0x100 // 4 - 3) + [hdr('NOOP', 0, 0)]),
    'truncated': seed([hdr('FILL', 0, 3), 0x1000]),
    'unknown': seed([0x7f000000]),
    'mixed': seed([hdr('NOOP', 0, 0), hdr('FILL', 0, 3), 0, 4096, 0xff,
                   hdr('COPY', 0, 3), 0, 0x1000, 4096,
                   hdr('FENCE', 1, 2), 0x2000, 1]),
}

# Regression inputs (tests/fuzz/crashes/): must always run clean.
REGRESSIONS = {
    'batch_self_loop': seed([hdr('BATCH', 0, 2), 0x0, 12]),
    'fill_wraps_u32': seed([hdr('FILL', 0, 3), 0xfffffffc, 8, 0]),
    'copy_overlap': seed([hdr('COPY', 0, 3), 0, 8, 16]),
    'write_len_max': seed([hdr('WRITE', 0, 0xffff)]),
}


def main():
    top = os.path.dirname(os.path.abspath(__file__))
    for sub, items in (('corpus', SEEDS), ('crashes', REGRESSIONS)):
        os.makedirs(os.path.join(top, sub), exist_ok=True)
        for name, data in items.items():
            with open(os.path.join(top, sub, name), 'wb') as f:
                f.write(data)


if __name__ == '__main__':
    main()
