# compute: streaming writes; each frame a kernel reads a window of the
# input and writes the next window of the output, and new input streams in.
workload compute
seed 4
frames 60
period 16.7
buffer input   4M   gtt
buffer output  8M   gtt
buffer fence   4K   gtt
step copy  src=input dst=output frac=0.125
step fill  dst=input frac=0.0625 pattern=0x01020304
step fence dst=fence
