# resident: a game or desktop session with a large resident set.  Surfaces
# (textures, geometry, earlier frames) stay mapped in the GTT and are only
# read; per frame the device rewrites parts of a render target and a depth
# buffer, a few constants and a fence (about 1.3 MiB), and the CPU touches
# 1 % of a buffer the device never sees.  The pinned working set is the
# parameter: "pinned" below, or -p SIZE of the tools (make bench runs 16M,
# 256M, 1G and 4G); the surfaces take what the other gtt buffers leave.
workload resident
seed 7
frames 60
period 16.7
pinned 1G
buffer surfaces rest  gtt
buffer rt       8M    gtt
buffer depth    4M    gtt
buffer consts   64K   gtt
buffer fence    4K    gtt
buffer sysmem   4M    nogtt
step copy  src=surfaces dst=rt frac=0.0625
step copy  src=surfaces dst=rt frac=0.03125 at=rand
step fill  dst=depth frac=0.125 pattern=0x3f800000
step write dst=consts count=4
step fence dst=fence
step cpu   dst=sysmem frac=0.01 at=rand
