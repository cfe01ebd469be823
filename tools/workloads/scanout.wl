# scanout: a compositor writes one whole framebuffer per frame (1080p,
# 32 bpp is ~8 MiB) and blits a cursor; a second buffer stays pinned.
workload scanout
seed 2
frames 60
period 16.7
buffer fb      8M   gtt
buffer front   4M   gtt
buffer cursor  64K  gtt
buffer fence   4K   gtt
step fill  dst=fb     frac=1 pattern=0x00202020
step copy  src=cursor dst=front frac=1
step fence dst=fence
