# render: textures read, a render target and a depth buffer written, a few
# constants updated by the device, one fence per frame, and some guest
# CPU work on memory the device never sees (tracked by the VMM itself).
workload render
seed 3
frames 60
period 16.7
buffer tex0    2M   gtt
buffer tex1    2M   gtt
buffer tex2    2M   gtt
buffer tex3    2M   gtt
buffer rt      2M   gtt
buffer depth   1M   gtt
buffer consts  64K  gtt
buffer fence   4K   gtt
buffer sysmem  4M   nogtt
step copy  src=tex0 dst=rt frac=0.25
step copy  src=tex2 dst=rt frac=0.0625 at=rand
step fill  dst=depth frac=0.25 pattern=0x3f800000
step write dst=consts count=4
step fence dst=fence
step cpu   dst=sysmem frac=0.01 at=rand
