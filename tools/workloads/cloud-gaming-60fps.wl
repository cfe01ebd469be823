# cloud-gaming-60fps: shaped like igt gem_wsim's cloud-gaming-60fps: a
# 10 x 8 MiB read set and 16 MiB written per 16.7 ms frame (the encoder
# reads the frame the renderer wrote).  96 MiB of GTT: the tools run it at
# this natural size on a 256m vGPU.
workload cloud-gaming-60fps
seed 6
frames 60
period 16.7
buffer tex0    8M   gtt
buffer tex1    8M   gtt
buffer tex2    8M   gtt
buffer tex3    8M   gtt
buffer tex4    8M   gtt
buffer tex5    8M   gtt
buffer tex6    8M   gtt
buffer tex7    8M   gtt
buffer tex8    8M   gtt
buffer tex9    8M   gtt
buffer frame   8M   gtt
buffer encode  8M   gtt
buffer fence   4K   gtt
step copy  src=tex0 dst=frame frac=0.5
step copy  src=tex5 dst=frame frac=0.5 at=rand
step copy  src=frame dst=encode frac=1
step fence dst=fence
